//! The one system-program call every payment makes (`create_account` for its nullifier), built by
//! hand: Anchor's wrapper bincode-serializes the instruction and re-borrows every account before
//! the syscall. Measured (LiteSVM, `--features cu-probe`): 2,023 CU through the wrapper, 1,378 this
//! way, of which ~1,150 is the runtime's own price (1,000 per invoke, 150 for the system program).
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed_unchecked;

/// `SystemInstruction::CreateAccount`'s tag (bincode: a little-endian u32).
const CREATE_ACCOUNT: u32 = 0;

/// The instruction data of `SystemInstruction::CreateAccount { lamports, space, owner }`.
fn create_account_data(lamports: u64, space: u64, owner: &Pubkey) -> Vec<u8> {
    let mut data = Vec::with_capacity(52);
    data.extend_from_slice(&CREATE_ACCOUNT.to_le_bytes());
    data.extend_from_slice(&lamports.to_le_bytes());
    data.extend_from_slice(&space.to_le_bytes());
    data.extend_from_slice(owner.as_ref());
    data
}

/// Creates `to` (a PDA of the calling program signed by `seeds`) with `space` bytes owned by
/// `owner`, `lamports` from `from`. The callers hold no borrow of either account across this call
/// (what `invoke_signed` would re-check), so the unchecked invoke is sound.
pub fn create_account<'info>(
    from: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    lamports: u64,
    space: u64,
    owner: &Pubkey,
    seeds: &[&[u8]],
) -> Result<()> {
    let ix = Instruction {
        program_id: anchor_lang::system_program::ID,
        accounts: vec![
            AccountMeta::new(*from.key, true),
            AccountMeta::new(*to.key, true),
        ],
        data: create_account_data(lamports, space, owner),
    };
    invoke_signed_unchecked(&ix, &[from.clone(), to.clone()], &[seeds]).map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_the_system_programs_encoding() {
        let owner = Pubkey::new_unique();
        let sdk = anchor_lang::solana_program::system_instruction::create_account(
            &Pubkey::new_unique(),
            &Pubkey::new_unique(),
            894_080,
            48,
            &owner,
        );
        assert_eq!(create_account_data(894_080, 48, &owner), sdk.data);
    }
}
