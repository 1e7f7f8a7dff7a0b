//! Burning a nullifier: creating its PDA `[b"nullifier", nullifier]` with a typed error on replay.
//!
//! The PDA is created by hand (not with Anchor's `init`) so that an existing nullifier fails with
//! `NullifierAlreadyUsed` rather than the system program's "already in use", and so a batch can
//! burn many from `remaining_accounts`. The address must be the **canonical** PDA (found with
//! `find_program_address`): accepting a caller-supplied bump would let the same nullifier live at
//! several addresses and be spent once per bump.
use anchor_lang::prelude::*;
use anchor_lang::system_program::{
    allocate, assign, create_account, transfer, Allocate, Assign, CreateAccount, Transfer,
};
use anchor_lang::Discriminator;

use crate::errors::ErrorCode;
use crate::state::{Nullifier, NULLIFIER_SEED};

/// The nullifier to burn (its PDA seed) and what its account records.
pub struct NullifierRecord<'a> {
    pub nullifier: &'a [u8; 32],
    pub slot: u64,
}

/// Fails with `NullifierAlreadyUsed` when `account` already holds a spent nullifier.
pub fn require_unspent(account: &AccountInfo, program_id: &Pubkey) -> Result<()> {
    require!(
        !(account.owner == program_id && account.data_len() > 0),
        ErrorCode::NullifierAlreadyUsed
    );
    Ok(())
}

/// Creates the nullifier PDA, paid by `payer`.
pub fn burn<'info>(
    program_id: &Pubkey,
    payer: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    rec: &NullifierRecord,
) -> Result<()> {
    require_unspent(account, program_id)?;
    let (expected, bump) =
        Pubkey::find_program_address(&[NULLIFIER_SEED, rec.nullifier], program_id);
    require_keys_eq!(account.key(), expected, ErrorCode::NullifierAccountMismatch);
    require!(account.is_writable, ErrorCode::NullifierAccountMismatch);

    let bump_seed = [bump];
    let seeds: &[&[u8]] = &[NULLIFIER_SEED, rec.nullifier, &bump_seed];
    let signer = &[seeds];
    let space = Nullifier::SPACE;
    let rent = Rent::get()?.minimum_balance(space);
    let sys = system_program.key();
    let current = account.lamports();
    if current == 0 {
        create_account(
            CpiContext::new_with_signer(
                sys,
                CreateAccount {
                    from: payer.clone(),
                    to: account.clone(),
                },
                signer,
            ),
            rent,
            space as u64,
            program_id,
        )?;
    } else {
        // Someone pre-funded the address (griefing create_account): top up, allocate, assign.
        if current < rent {
            transfer(
                CpiContext::new(
                    sys,
                    Transfer {
                        from: payer.clone(),
                        to: account.clone(),
                    },
                ),
                rent - current,
            )?;
        }
        allocate(
            CpiContext::new_with_signer(
                sys,
                Allocate {
                    account_to_allocate: account.clone(),
                },
                signer,
            ),
            space as u64,
        )?;
        assign(
            CpiContext::new_with_signer(
                sys,
                Assign {
                    account_to_assign: account.clone(),
                },
                signer,
            ),
            program_id,
        )?;
    }

    let mut data = account.try_borrow_mut_data()?;
    let out: &mut [u8] = &mut data;
    let disc = Nullifier::DISCRIMINATOR;
    out[..disc.len()].copy_from_slice(disc);
    let mut w = &mut out[disc.len()..];
    Nullifier {
        slot: rec.slot,
        bump,
    }
    .serialize(&mut w)?;
    Ok(())
}
