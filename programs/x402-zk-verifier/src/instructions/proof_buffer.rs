//! Proof buffers: batches larger than one transaction (1,232 bytes hold two inline proofs with
//! their nullifier accounts) are written in chunks, then verified with `verify_batch_from_buffer`.
//!
//! The client creates the account itself with `SystemProgram.createAccount` (owner = this
//! program, space = [`ProofBufferHeader::LEN`] + n · 328; no 10 KiB CPI limit), then calls
//! `init_proof_buffer` (signed by the buffer's key too, usually in the same transaction),
//! `write_proof_buffer(index, payments)` (two payments fit a transaction), and finally
//! `close_proof_buffer` to get the rent back.
//!
//! Layout (`x402_zk_encoding::layout::proof_buffer`): `MAGIC (8) ‖ authority (32) ‖ len u32 LE (4) ‖
//! payments…` where `payments` is `len` bytes of concatenated `PaymentProof` borsh encodings (328
//! bytes each, `x402_zk_encoding::layout::payment`).
use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::instructions::verify_batch::ProofRef;
use crate::instructions::verify_payment::PaymentProof;

use x402_zk_encoding::layout::proof_buffer::{AUTHORITY_OFFSET, HEADER_LEN, LEN_OFFSET};

/// First 8 bytes of an initialized proof buffer.
pub use x402_zk_encoding::layout::proof_buffer::MAGIC as PROOF_BUFFER_MAGIC;

pub struct ProofBufferHeader {
    pub authority: Pubkey,
    pub len: usize,
}

impl ProofBufferHeader {
    pub const LEN: usize = HEADER_LEN;

    pub fn read(data: &[u8]) -> Result<Self> {
        require!(data.len() >= Self::LEN, ErrorCode::ProofBufferInvalid);
        require!(
            data[..AUTHORITY_OFFSET] == PROOF_BUFFER_MAGIC,
            ErrorCode::ProofBufferInvalid
        );
        let mut key = [0u8; 32];
        key.copy_from_slice(&data[AUTHORITY_OFFSET..LEN_OFFSET]);
        let mut len = [0u8; 4];
        len.copy_from_slice(&data[LEN_OFFSET..HEADER_LEN]);
        let len = u32::from_le_bytes(len) as usize;
        require!(
            len <= data.len() - Self::LEN,
            ErrorCode::ProofBufferMalformed
        );
        Ok(ProofBufferHeader {
            authority: Pubkey::new_from_array(key),
            len,
        })
    }
}

/// The payments stored in a buffer, borrowed (no copy).
pub fn proof_refs<'a>(data: &'a [u8], header: &ProofBufferHeader) -> Result<Vec<ProofRef<'a>>> {
    let body = &data[ProofBufferHeader::LEN..ProofBufferHeader::LEN + header.len];
    require!(
        body.len().is_multiple_of(PaymentProof::LEN),
        ErrorCode::ProofBufferMalformed
    );
    let mut out = Vec::with_capacity(body.len() / PaymentProof::LEN);
    for chunk in body.chunks_exact(PaymentProof::LEN) {
        out.push(ProofRef::parse(chunk).ok_or(error!(ErrorCode::ProofBufferMalformed))?);
    }
    Ok(out)
}

#[derive(Accounts)]
pub struct InitProofBuffer<'info> {
    pub authority: Signer<'info>,
    /// Freshly created by the client with this program as owner and all-zero data. It must sign:
    /// otherwise an account created in an earlier transaction could be claimed by anyone who
    /// initializes it first.
    #[account(mut, owner = crate::ID @ ErrorCode::ProofBufferInvalid)]
    pub proof_buffer: Signer<'info>,
}

#[derive(Accounts)]
pub struct ProofBufferAuthority<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    /// CHECK: an initialized proof buffer of `authority` (checked in the handler).
    #[account(mut, owner = crate::ID @ ErrorCode::ProofBufferInvalid)]
    pub proof_buffer: UncheckedAccount<'info>,
}

pub fn init_proof_buffer(ctx: Context<InitProofBuffer>) -> Result<()> {
    let mut data = ctx.accounts.proof_buffer.try_borrow_mut_data()?;
    require!(
        data.len() >= ProofBufferHeader::LEN,
        ErrorCode::ProofBufferInvalid
    );
    require!(
        data[..AUTHORITY_OFFSET].iter().all(|b| *b == 0),
        ErrorCode::ProofBufferInvalid
    );
    data[..AUTHORITY_OFFSET].copy_from_slice(&PROOF_BUFFER_MAGIC);
    data[AUTHORITY_OFFSET..LEN_OFFSET].copy_from_slice(ctx.accounts.authority.key().as_ref());
    data[LEN_OFFSET..HEADER_LEN].copy_from_slice(&0u32.to_le_bytes());
    Ok(())
}

fn authorized_header(
    ctx: &Context<ProofBufferAuthority>,
    data: &[u8],
) -> Result<ProofBufferHeader> {
    let header = ProofBufferHeader::read(data)?;
    require_keys_eq!(
        header.authority,
        ctx.accounts.authority.key(),
        ErrorCode::ProofBufferInvalid
    );
    Ok(header)
}

/// Writes `payments` into slots `index, index + 1, …` of the payments area; the stored length
/// grows to cover the write. (Typed payments rather than raw bytes: borsh pre-allocates a
/// `Vec<u8>` of the claimed length, so a forged length prefix could exhaust the 32 KiB heap.)
pub fn write_proof_buffer(
    ctx: Context<ProofBufferAuthority>,
    index: u32,
    payments: Vec<PaymentProof>,
) -> Result<()> {
    let mut data = ctx.accounts.proof_buffer.try_borrow_mut_data()?;
    let header = authorized_header(&ctx, &data)?;
    let overflow = || error!(ErrorCode::ProofBufferOverflow);
    let mut start = (index as usize)
        .checked_mul(PaymentProof::LEN)
        .ok_or_else(overflow)?;
    start = start
        .checked_add(ProofBufferHeader::LEN)
        .ok_or_else(overflow)?;
    let end = start
        .checked_add(payments.len() * PaymentProof::LEN)
        .ok_or_else(overflow)?;
    require!(end <= data.len(), ErrorCode::ProofBufferOverflow);
    let mut w: &mut [u8] = &mut data[start..end];
    for p in &payments {
        p.serialize(&mut w)?;
    }
    let new_len = header.len.max(end - ProofBufferHeader::LEN) as u32;
    data[LEN_OFFSET..HEADER_LEN].copy_from_slice(&new_len.to_le_bytes());
    Ok(())
}

/// Returns the rent to the authority and hands the account back to the system program.
pub fn close_proof_buffer(ctx: Context<ProofBufferAuthority>) -> Result<()> {
    {
        let data = ctx.accounts.proof_buffer.try_borrow_data()?;
        authorized_header(&ctx, &data)?;
    }
    let buffer = ctx.accounts.proof_buffer.to_account_info();
    let authority = ctx.accounts.authority.to_account_info();
    let lamports = buffer.lamports();
    **authority.try_borrow_mut_lamports()? = authority
        .lamports()
        .checked_add(lamports)
        .ok_or(error!(ErrorCode::ProofBufferOverflow))?;
    **buffer.try_borrow_mut_lamports()? = 0;
    buffer.assign(&anchor_lang::system_program::ID);
    buffer.resize(0)?;
    Ok(())
}
