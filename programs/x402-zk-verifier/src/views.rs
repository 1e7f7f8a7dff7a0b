//! `Config` and `Policy` read from their bytes at the encoding crate's offsets
//! (`x402_zk_encoding::layout`), for `verify_payment`: Anchor's `Account<T>` runs borsh over both
//! accounts before the handler starts, ~650 CU of every payment (measured with an empty handler),
//! where copying the fields out of the slices costs about half of that. The checks are
//! `Account<T>`'s, with its error codes: initialized, owned by this program, the type's
//! discriminator and size. The batch instructions keep `Account<T>` (tried: ~40 CU a proof saved at
//! n = 16, but with four callers the views were no longer inlined into `verify_payment`, which then
//! cost 115 CU more).
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use x402_zk_encoding::layout::{config_account as c, policy_account as p};

use crate::account::AccountAccess;
use crate::state::{Config, Policy};

/// The data of `info` if it holds a `T` of this program (`Account<T>::try_from`'s checks).
fn account_data<'a, T: Discriminator, A: AccountAccess>(
    info: &'a A,
    program_id: &Pubkey,
    space: usize,
) -> Result<impl core::ops::Deref<Target = [u8]> + 'a> {
    if info.owner() == &anchor_lang::system_program::ID && info.lamports() == 0 {
        return Err(AnchorError::AccountNotInitialized.into());
    }
    if info.owner() != program_id {
        return Err(Error::from(AnchorError::AccountOwnedByWrongProgram)
            .with_pubkeys((*info.owner(), *program_id)));
    }
    let data = info.data()?;
    if data.len() != space || !data.starts_with(T::DISCRIMINATOR) {
        return Err(AnchorError::AccountDiscriminatorMismatch.into());
    }
    Ok(data)
}

/// `N` bytes of `data` at `at` (the callers' offsets are constants inside the checked size).
fn bytes<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&data[at..at + N]);
    out
}

/// The `Config` in `info` (see the module doc).
pub fn read_config<A: AccountAccess>(info: &A, program_id: &Pubkey) -> Result<Config> {
    let d = account_data::<Config, A>(info, program_id, c::SPACE)?;
    Ok(Config {
        authority: Pubkey::new_from_array(bytes(&d, c::AUTHORITY_OFFSET)),
        attester: bytes(&d, c::ATTESTER_OFFSET),
        max_clock_skew_seconds: u32::from_le_bytes(bytes(&d, c::SKEW_OFFSET)),
        paused: d[c::PAUSED_OFFSET] != 0,
        bump: d[c::BUMP_OFFSET],
        domain: bytes(&d, c::DOMAIN_OFFSET),
        vk_hash: bytes(&d, c::VK_HASH_OFFSET),
        max_receipt_age_seconds: u32::from_le_bytes(bytes(&d, c::MAX_RECEIPT_AGE_OFFSET)),
        nullifier_rent_lamports: u64::from_le_bytes(bytes(&d, c::NULLIFIER_RENT_OFFSET)),
    })
}

/// The `Policy` in `info` (see the module doc).
pub fn read_policy<A: AccountAccess>(info: &A, program_id: &Pubkey) -> Result<Policy> {
    let d = account_data::<Policy, A>(info, program_id, p::SPACE)?;
    Ok(Policy {
        policy_hash: bytes(&d, p::POLICY_HASH_OFFSET),
        pay_to: Pubkey::new_from_array(bytes(&d, p::PAY_TO_OFFSET)),
        asset: Pubkey::new_from_array(bytes(&d, p::ASSET_OFFSET)),
        min_amount: u64::from_le_bytes(bytes(&d, p::MIN_AMOUNT_OFFSET)),
        max_age: u64::from_le_bytes(bytes(&d, p::MAX_AGE_OFFSET)),
        attester: bytes(&d, p::ATTESTER_OFFSET),
        rent_payer: Pubkey::new_from_array(bytes(&d, p::RENT_PAYER_OFFSET)),
        bump: d[p::BUMP_OFFSET],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;

    fn serialized<T: AccountSerialize>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        value.try_serialize(&mut out).expect("serialize");
        out
    }

    /// Reads `data` as an account owned by `owner` with `read`.
    fn read_with<T>(
        mut data: Vec<u8>,
        owner: Pubkey,
        read: impl Fn(&AccountInfo, &Pubkey) -> Result<T>,
    ) -> Result<T> {
        let (key, program_id) = (Pubkey::new_unique(), crate::ID);
        let mut lamports = 1_000_000;
        let info = AccountInfo::new(&key, false, false, &mut lamports, &mut data, &owner, false);
        read(&info, &program_id)
    }

    fn filled<const N: usize>(seed: u8) -> [u8; N] {
        std::array::from_fn(|i| seed.wrapping_add(i as u8))
    }

    fn config() -> Config {
        Config {
            authority: Pubkey::new_from_array(filled(1)),
            attester: filled(40),
            max_clock_skew_seconds: 0x0102_0304,
            paused: true,
            bump: 253,
            domain: filled(120),
            vk_hash: filled(200),
            max_receipt_age_seconds: 0x0a0b_0c0d,
            nullifier_rent_lamports: 0x0102_0304_0506_0708,
        }
    }

    fn policy() -> Policy {
        Policy {
            policy_hash: filled(3),
            pay_to: Pubkey::new_from_array(filled(50)),
            asset: Pubkey::new_from_array(filled(90)),
            min_amount: 0x1122_3344_5566_7788,
            max_age: 600,
            attester: filled(140),
            rent_payer: Pubkey::new_from_array(filled(210)),
            bump: 254,
        }
    }

    #[test]
    fn the_views_read_what_borsh_wrote() {
        let c =
            read_with(serialized(&config()), crate::ID, |i, p| read_config(i, p)).expect("config");
        assert_eq!(serialized(&c), serialized(&config()));
        let p =
            read_with(serialized(&policy()), crate::ID, |i, p| read_policy(i, p)).expect("policy");
        assert_eq!(serialized(&p), serialized(&policy()));
    }

    fn code<T>(r: Result<T>) -> u32 {
        match r {
            Err(Error::AnchorError(e)) => e.error_code_number,
            Err(e) => panic!("not an anchor error: {e:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn foreign_short_and_mistyped_accounts_get_account_errors() {
        let foreign = Pubkey::new_unique();
        assert_eq!(
            code(read_with(serialized(&config()), foreign, |i, p| {
                read_config(i, p)
            })),
            AnchorError::AccountOwnedByWrongProgram as u32
        );
        // A policy where a config is expected (other discriminator and size), and a short config.
        assert_eq!(
            code(read_with(serialized(&policy()), crate::ID, |i, p| {
                read_config(i, p)
            })),
            AnchorError::AccountDiscriminatorMismatch as u32
        );
        let mut short = serialized(&config());
        short.pop();
        assert_eq!(
            code(read_with(short, crate::ID, |i, p| read_config(i, p))),
            AnchorError::AccountDiscriminatorMismatch as u32
        );
        let mut renamed = serialized(&policy());
        renamed[0] ^= 1;
        assert_eq!(
            code(read_with(renamed, crate::ID, |i, p| read_policy(i, p))),
            AnchorError::AccountDiscriminatorMismatch as u32
        );
    }
}
