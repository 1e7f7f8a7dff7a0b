//! The program's entrypoint, in place of the one `#[program]` generates (which this crate never
//! compiles: `no-entrypoint` is one of its default features).
//!
//! `verify_payment`, the instruction every payment runs, is read in place from the runtime's input
//! (pinocchio's lazy `InstructionContext`: no `AccountInfo`s built, no borsh copy, no context) and
//! checked by hand (`PaymentAccounts::checked`: Anchor's checks and error codes) before the same
//! handler body Anchor's `verify_payment` runs. Measured (LiteSVM, `--features cu-probe`): the
//! standard input deserialization alone cost ~1,070 CU for its six accounts.
//!
//! Everything else — and a `verify_payment` with other than its six distinct accounts — goes to
//! Anchor's dispatcher unchanged (`crate::entry`, after the standard deserialization).
//!
//! Crates that link the program as a library (the facilitator, tests) enable `library`, which
//! leaves the entrypoint out.
use anchor_lang::prelude::*;
use pinocchio::entrypoint::lazy::{InstructionContext, MaybeAccount};

use crate::instructions::verify_payment::{verify_payment_in_place, VERIFY_PAYMENT_DISCRIMINATOR};

/// Accounts `verify_payment` takes (`VerifyPayment`).
const PAYMENT_ACCOUNTS: u64 = 6;

/// `verify_payment` read in place, or `None` when the input is anything else (see the module doc).
///
/// # Safety
/// `input` is the runtime's serialized input, not yet read by anything else.
pub unsafe fn route_in_place(input: *mut u8) -> Option<u64> {
    let mut ctx = unsafe { InstructionContext::new_unchecked(input) };
    if ctx.remaining() != PAYMENT_ACCOUNTS {
        return None;
    }
    let mut next = || match ctx.next_account() {
        Ok(MaybeAccount::Account(a)) => Some(a),
        _ => None,
    };
    let views = [next()?, next()?, next()?, next()?, next()?, next()?];
    let data = ctx.instruction_data().ok()?;
    if !data.starts_with(VERIFY_PAYMENT_DISCRIMINATOR) {
        return None;
    }
    let program_id = ctx.program_id().ok()?;
    let result = if *program_id != crate::ID {
        Err(anchor_lang::error::ErrorCode::DeclaredProgramIdMismatch.into())
    } else {
        verify_payment_in_place(program_id, &views, data)
    };
    Some(match result {
        Ok(()) => anchor_lang::solana_program::entrypoint::SUCCESS,
        Err(e) => {
            e.log();
            u64::from(ProgramError::from(e))
        }
    })
}

#[cfg(all(target_os = "solana", not(feature = "library")))]
mod sbf {
    use anchor_lang::solana_program::entrypoint::{deserialize, SUCCESS};

    /// # Safety
    /// Called by the runtime with its serialized input (what `entrypoint!` declares).
    #[no_mangle]
    pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
        if let Some(result) = unsafe { super::route_in_place(input) } {
            return result;
        }
        let (program_id, accounts, data) = unsafe { deserialize(input) };
        match crate::entry(program_id, &accounts, data) {
            Ok(()) => SUCCESS,
            Err(error) => error.into(),
        }
    }

    anchor_lang::solana_program::entrypoint::custom_heap_default!();
    anchor_lang::solana_program::entrypoint::custom_panic_default!();
}
