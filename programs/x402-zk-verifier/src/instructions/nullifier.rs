//! Burning a nullifier: creating its PDA `[b"nullifier", nullifier]` with a typed error on replay;
//! and closing it once it has expired (`close_expired_nullifiers`).
//!
//! The PDA is created by hand (not with Anchor's `init`) so that an existing nullifier fails with
//! `NullifierAlreadyUsed` rather than the system program's "already in use", and so a batch can
//! burn many from `remaining_accounts`. The address must be the **canonical** PDA (found with
//! `find_program_address`): accepting a caller-supplied bump would let the same nullifier live at
//! several addresses and be spent once per bump. The search is `crate::pda`'s (same result,
//! ~300 instead of 1,500 CU per bump tried).
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

use crate::account::AccountAccess;
use crate::cpi::SystemCall;
use crate::errors::ErrorCode;
use crate::events::NullifiersClosed;
use crate::state::{Config, Nullifier, NULLIFIER_SEED};

/// The nullifier to burn (its PDA seed) and when it expires; the payer is recorded as rent payer.
pub struct NullifierRecord<'a> {
    pub nullifier: &'a [u8; 32],
    pub expires_at: i64,
}

/// The rent-exempt minimum of [`Nullifier::SPACE`] now (the `Rent` sysvar read and the float
/// arithmetic: 384 CU). The payment paths use `Config.nullifier_rent_lamports`, which
/// `initialize_config` and `sync_nullifier_rent` set from this.
pub fn nullifier_rent() -> Result<u64> {
    Ok(Rent::get()?.minimum_balance(Nullifier::SPACE))
}

/// When a nullifier burnt by a proof made for `now` stops mattering under `config`:
/// `now + max_receipt_age_seconds + max_clock_skew_seconds`.
///
/// Why that is enough (the caps only shrink, `LifetimeMayOnlyShrink`): any proof for the same
/// nullifier needs `now' ≤ paidAt + maxAge' ≤ now + A` (the circuit: `paidAt ≤ now`,
/// `now' − paidAt ≤ maxAge'`; the program: `maxAge' ≤ A' ≤ A`) and is accepted only while
/// `Clock ≤ now' + K' ≤ now + A + K`. So once `Clock > expires_at` none can pass, ever.
pub fn expires_at(config: &Config, now: u64) -> Result<i64> {
    let now = i64::try_from(now).map_err(|_| error!(ErrorCode::TimestampOutOfRange))?;
    now.checked_add(i64::from(config.max_receipt_age_seconds))
        .and_then(|t| t.checked_add(i64::from(config.max_clock_skew_seconds)))
        .ok_or_else(|| error!(ErrorCode::TimestampOutOfRange))
}

/// Refuses a proof whose `maxAge` exceeds the config's cap (before any verification work).
pub fn require_max_age(config: &Config, max_age: u64) -> Result<()> {
    require!(
        max_age <= u64::from(config.max_receipt_age_seconds),
        ErrorCode::ReceiptAgeTooLarge
    );
    Ok(())
}

/// Fails with `NullifierAlreadyUsed` when `account` already holds a spent nullifier.
pub fn require_unspent<A: AccountAccess>(account: &A, program_id: &Pubkey) -> Result<()> {
    require!(
        !(account.owner() == program_id && account.data_len() > 0),
        ErrorCode::NullifierAlreadyUsed
    );
    Ok(())
}

/// Creates the nullifier PDA, paid by `payer`.
pub fn burn<A: AccountAccess>(
    program_id: &Pubkey,
    payer: &A,
    account: &A,
    rec: &NullifierRecord,
    rent: u64,
) -> Result<()> {
    require_unspent(account, program_id)?;
    let (expected, bump) =
        crate::pda::find_program_address(&[NULLIFIER_SEED, rec.nullifier], program_id)
            .ok_or_else(|| error!(ErrorCode::NullifierAccountMismatch))?;
    require_keys_eq!(
        *account.key(),
        expected,
        ErrorCode::NullifierAccountMismatch
    );
    require!(account.is_writable(), ErrorCode::NullifierAccountMismatch);
    crate::cu_probe!("burn: address found");

    let bump_seed = [bump];
    let seeds: &[&[u8]] = &[NULLIFIER_SEED, rec.nullifier, &bump_seed];
    create_pda(program_id, payer, account, seeds, Nullifier::SPACE, rent)?;
    crate::cu_probe!("burn: account created");

    let mut data = account.data_mut()?;
    let out: &mut [u8] = &mut data;
    let disc = Nullifier::DISCRIMINATOR;
    out[..disc.len()].copy_from_slice(disc);
    let mut w = &mut out[disc.len()..];
    Nullifier {
        expires_at: rec.expires_at,
        rent_payer: *payer.key(),
    }
    .serialize(&mut w)?;
    Ok(())
}

/// Creates the program-owned PDA `account` (signed by `seeds`, bump included) with `space` bytes
/// and `rent` lamports (its rent-exempt minimum, from the caller), paid by `payer`. An address
/// someone pre-funded (griefing `create_account`) is topped up, allocated and assigned instead.
pub fn create_pda<A: AccountAccess>(
    program_id: &Pubkey,
    payer: &A,
    account: &A,
    seeds: &[&[u8]],
    space: usize,
    rent: u64,
) -> Result<()> {
    let space = space as u64;
    let current = account.lamports();
    if current == 0 {
        let create = SystemCall::CreateAccount {
            lamports: rent,
            space,
            owner: program_id,
        };
        return A::invoke_system(&create, &[payer, account], seeds);
    }
    if current < rent {
        let top_up = SystemCall::Transfer {
            lamports: rent - current,
        };
        A::invoke_system(&top_up, &[payer, account], seeds)?;
    }
    A::invoke_system(&SystemCall::Allocate { space }, &[account], seeds)?;
    A::invoke_system(&SystemCall::Assign { owner: program_id }, &[account], seeds)
}

/// No accounts of its own: the `[nullifier, rent_payer]` pairs come as `remaining_accounts`.
#[derive(Accounts)]
pub struct CloseExpiredNullifiers {}

/// Closes each expired nullifier account of `pairs` (`[nullifier (mut), rent_payer (mut)]`…),
/// returning its lamports to the recorded rent payer. All or nothing.
pub fn close_expired_nullifiers<'info>(
    program_id: &Pubkey,
    pairs: &'info [AccountInfo<'info>],
) -> Result<()> {
    require!(
        !pairs.is_empty() && pairs.chunks_exact(2).remainder().is_empty(),
        ErrorCode::NullifierPairsMalformed
    );
    let now = Clock::get()?.unix_timestamp;
    let mut lamports: u64 = 0;
    for pair in pairs.chunks_exact(2) {
        let (account, rent_payer) = (&pair[0], &pair[1]);
        lamports = lamports
            .checked_add(close_one(program_id, account, rent_payer, now)?)
            .ok_or_else(|| error!(ErrorCode::NullifierPairsMalformed))?;
    }
    emit!(NullifiersClosed {
        count: (pairs.len() / 2) as u32,
        lamports,
    });
    Ok(())
}

fn close_one<'info>(
    program_id: &Pubkey,
    account: &AccountInfo<'info>,
    rent_payer: &AccountInfo<'info>,
    now: i64,
) -> Result<u64> {
    require!(
        account.owner == program_id && account.is_writable,
        ErrorCode::NullifierAccountMismatch
    );
    let record = {
        let data = account.try_borrow_data()?;
        let disc = Nullifier::DISCRIMINATOR;
        require!(
            data.len() == Nullifier::SPACE && data.starts_with(disc),
            ErrorCode::NullifierAccountMismatch
        );
        Nullifier::deserialize(&mut &data[disc.len()..])?
    };
    require!(now > record.expires_at, ErrorCode::NullifierNotExpired);
    require!(
        *rent_payer.key == record.rent_payer && rent_payer.is_writable,
        ErrorCode::RentPayerMismatch
    );
    // A rent payer is a wallet (it signed the burning transaction), never the nullifier itself.
    let amount = account.lamports();
    rent_payer.add_lamports(amount)?;
    account.sub_lamports(amount)?;
    account.try_borrow_mut_data()?.fill(0);
    account.assign(&anchor_lang::system_program::ID);
    account.resize(0)?;
    Ok(amount)
}
