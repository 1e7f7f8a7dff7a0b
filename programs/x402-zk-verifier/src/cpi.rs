//! The system-program calls the program makes (creating a nullifier or policy PDA; topping up,
//! allocating and assigning one that someone pre-funded), encoded once here and invoked through
//! either account type (`crate::account`). Built by hand rather than through Anchor's wrappers,
//! which bincode-serialize the instruction and re-borrow every account before the syscall.
//! Measured (LiteSVM, `--features cu-probe`): `create_account` 2,023 CU through the wrapper,
//! 1,378 this way, of which ~1,150 is the runtime's own price (1,000 per invoke, 150 for the
//! system program).
use anchor_lang::prelude::*;

/// One system-program instruction. The accounts are `[from, to]` for `CreateAccount` and
/// `Transfer`, `[account]` for `Allocate` and `Assign`.
#[derive(Clone, Copy, Debug)]
pub enum SystemCall<'a> {
    CreateAccount {
        lamports: u64,
        space: u64,
        owner: &'a Pubkey,
    },
    Transfer {
        lamports: u64,
    },
    Allocate {
        space: u64,
    },
    Assign {
        owner: &'a Pubkey,
    },
}

/// The longest encoding (`CreateAccount`: tag 4 + lamports 8 + space 8 + owner 32).
pub const MAX_DATA: usize = 52;

impl SystemCall<'_> {
    /// `SystemInstruction`'s bincode encoding (a little-endian u32 tag, then the fields) in a
    /// fixed buffer, and its length.
    pub fn data(&self) -> ([u8; MAX_DATA], usize) {
        let mut out = [0u8; MAX_DATA];
        let len = match *self {
            SystemCall::CreateAccount {
                lamports,
                space,
                owner,
            } => {
                out[..4].copy_from_slice(&0u32.to_le_bytes());
                out[4..12].copy_from_slice(&lamports.to_le_bytes());
                out[12..20].copy_from_slice(&space.to_le_bytes());
                out[20..52].copy_from_slice(owner.as_ref());
                52
            }
            SystemCall::Assign { owner } => {
                out[..4].copy_from_slice(&1u32.to_le_bytes());
                out[4..36].copy_from_slice(owner.as_ref());
                36
            }
            SystemCall::Transfer { lamports } => {
                out[..4].copy_from_slice(&2u32.to_le_bytes());
                out[4..12].copy_from_slice(&lamports.to_le_bytes());
                12
            }
            SystemCall::Allocate { space } => {
                out[..4].copy_from_slice(&8u32.to_le_bytes());
                out[4..12].copy_from_slice(&space.to_le_bytes());
                12
            }
        };
        (out, len)
    }

    /// `(writable, signer)` of each account the instruction takes, in order.
    pub fn metas(&self) -> &'static [(bool, bool)] {
        match self {
            SystemCall::CreateAccount { .. } => &[(true, true), (true, true)],
            SystemCall::Transfer { .. } => &[(true, true), (true, false)],
            SystemCall::Allocate { .. } | SystemCall::Assign { .. } => &[(true, true)],
        }
    }
}

/// Invokes `call` with `accounts` (as [`SystemCall::metas`] lists them), the program signing for
/// the PDA of `seeds`. The callers hold no borrow of these accounts across the call (what
/// `invoke_signed` would re-check), so the unchecked invoke is sound.
pub fn invoke_with_infos<'info>(
    call: &SystemCall,
    accounts: &[&AccountInfo<'info>],
    seeds: &[&[u8]],
) -> Result<()> {
    use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
    use anchor_lang::solana_program::program::invoke_signed_unchecked;
    let (data, len) = call.data();
    let metas = call.metas();
    let meta = |i: usize| AccountMeta {
        pubkey: *accounts[i].key,
        is_writable: metas[i].0,
        is_signer: metas[i].1,
    };
    let ix = |accounts: Vec<AccountMeta>| Instruction {
        program_id: anchor_lang::system_program::ID,
        accounts,
        data: data[..len].to_vec(),
    };
    // The infos on the stack (one or two accounts), as `invoke_signed` expects them.
    match (accounts, metas.len()) {
        ([a], 1) => invoke_signed_unchecked(&ix(vec![meta(0)]), &[(*a).clone()], &[seeds]),
        ([a, b], 2) => invoke_signed_unchecked(
            &ix(vec![meta(0), meta(1)]),
            &[(*a).clone(), (*b).clone()],
            &[seeds],
        ),
        _ => return Err(anchor_lang::error::ErrorCode::AccountNotEnoughKeys.into()),
    }
    .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::solana_program::system_instruction as sdk;

    #[test]
    fn data_is_the_system_programs_encoding() {
        let (a, b, owner) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let cases = [
            (
                SystemCall::CreateAccount {
                    lamports: 894_080,
                    space: 48,
                    owner: &owner,
                },
                sdk::create_account(&a, &b, 894_080, 48, &owner),
            ),
            (
                SystemCall::Transfer { lamports: 7 << 40 },
                sdk::transfer(&a, &b, 7 << 40),
            ),
            (SystemCall::Allocate { space: 48 }, sdk::allocate(&b, 48)),
            (
                SystemCall::Assign { owner: &owner },
                sdk::assign(&b, &owner),
            ),
        ];
        for (call, ix) in cases {
            let (data, len) = call.data();
            assert_eq!(data[..len], ix.data[..], "{call:?}");
            let metas: Vec<(bool, bool)> = ix
                .accounts
                .iter()
                .map(|m| (m.is_writable, m.is_signer))
                .collect();
            assert_eq!(call.metas(), &metas[..], "{call:?}");
        }
    }
}
