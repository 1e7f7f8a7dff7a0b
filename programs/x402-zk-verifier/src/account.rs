//! What the payment path reads and writes of an account, from either of its two sources: Anchor's
//! `AccountInfo` (the batch instructions, and `verify_payment` through Anchor's dispatcher) or the
//! runtime's input read in place (`AccountView`, `verify_payment` on the program's own entry path,
//! `crate::entrypoint`). One set of checks and one handler serve both.
use core::ops::{Deref, DerefMut};

use anchor_lang::prelude::*;
use pinocchio::cpi::{Seed, Signer};
use pinocchio::instruction::{InstructionAccount, InstructionView};
use pinocchio::AccountView;

use crate::cpi::SystemCall;

pub trait AccountAccess {
    fn key(&self) -> &Pubkey;
    fn owner(&self) -> &Pubkey;
    fn lamports(&self) -> u64;
    fn is_signer(&self) -> bool;
    fn is_writable(&self) -> bool;
    fn executable(&self) -> bool;
    fn data_len(&self) -> usize;
    fn data(&self) -> Result<impl Deref<Target = [u8]> + '_>;
    fn data_mut(&self) -> Result<impl DerefMut<Target = [u8]> + '_>;
    /// Invokes the system program's `call` on `accounts`, the program signing for the PDA of
    /// `seeds` (see `crate::cpi`).
    fn invoke_system(call: &SystemCall, accounts: &[&Self], seeds: &[&[u8]]) -> Result<()>;
}

impl<'info> AccountAccess for AccountInfo<'info> {
    fn key(&self) -> &Pubkey {
        self.key
    }
    fn owner(&self) -> &Pubkey {
        self.owner
    }
    fn lamports(&self) -> u64 {
        AccountInfo::lamports(self)
    }
    fn is_signer(&self) -> bool {
        self.is_signer
    }
    fn is_writable(&self) -> bool {
        self.is_writable
    }
    fn executable(&self) -> bool {
        self.executable
    }
    fn data_len(&self) -> usize {
        AccountInfo::data_len(self)
    }
    fn data(&self) -> Result<impl Deref<Target = [u8]> + '_> {
        Ok(std::cell::Ref::map(self.try_borrow_data()?, |d| &**d))
    }
    fn data_mut(&self) -> Result<impl DerefMut<Target = [u8]> + '_> {
        Ok(std::cell::RefMut::map(self.try_borrow_mut_data()?, |d| {
            &mut **d
        }))
    }
    fn invoke_system(call: &SystemCall, accounts: &[&Self], seeds: &[&[u8]]) -> Result<()> {
        crate::cpi::invoke_with_infos(call, accounts, seeds)
    }
}

impl AccountAccess for AccountView {
    fn key(&self) -> &Pubkey {
        self.address()
    }
    fn owner(&self) -> &Pubkey {
        // SAFETY: the owner changes only through `assign`, which nothing on this path calls
        // while the reference is held (the system program's `Assign` runs in a CPI, after the
        // owner checks).
        unsafe { AccountView::owner(self) }
    }
    fn lamports(&self) -> u64 {
        AccountView::lamports(self)
    }
    fn is_signer(&self) -> bool {
        AccountView::is_signer(self)
    }
    fn is_writable(&self) -> bool {
        AccountView::is_writable(self)
    }
    fn executable(&self) -> bool {
        AccountView::executable(self)
    }
    fn data_len(&self) -> usize {
        AccountView::data_len(self)
    }
    fn data(&self) -> Result<impl Deref<Target = [u8]> + '_> {
        Ok(self.try_borrow()?)
    }
    fn data_mut(&self) -> Result<impl DerefMut<Target = [u8]> + '_> {
        Ok(self.try_borrow_mut()?)
    }
    fn invoke_system(call: &SystemCall, accounts: &[&Self], seeds: &[&[u8]]) -> Result<()> {
        const MAX_SEEDS: usize = 3;
        const MAX_ACCOUNTS: usize = 2;
        let (data, len) = call.data();
        let metas = call.metas();
        require!(
            accounts.len() == metas.len() && metas.len() <= MAX_ACCOUNTS,
            anchor_lang::error::ErrorCode::AccountNotEnoughKeys
        );
        require!(
            seeds.len() <= MAX_SEEDS,
            anchor_lang::error::ErrorCode::ConstraintSeeds
        );
        let placeholder = InstructionAccount::readonly(accounts[0].address());
        let mut ix_accounts = [placeholder.clone(), placeholder];
        for (slot, (a, &(writable, signer))) in
            ix_accounts.iter_mut().zip(accounts.iter().zip(metas))
        {
            *slot = InstructionAccount::new(a.address(), writable, signer);
        }
        let ix = InstructionView {
            program_id: &anchor_lang::system_program::ID,
            data: &data[..len],
            accounts: &ix_accounts[..metas.len()],
        };
        let mut seed_buf = [
            Seed::from(&[][..]),
            Seed::from(&[][..]),
            Seed::from(&[][..]),
        ];
        for (slot, s) in seed_buf.iter_mut().zip(seeds) {
            *slot = Seed::from(*s);
        }
        let signer = Signer::from(&seed_buf[..seeds.len()]);
        pinocchio::cpi::invoke_signed_with_bounds::<MAX_ACCOUNTS>(&ix, accounts, &[signer])
            .map_err(Into::into)
    }
}
