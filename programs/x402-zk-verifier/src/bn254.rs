//! alt_bn128 group operations, big-endian (EIP-197 encoding: G1 `x || y`, G2 `x.c1 || x.c0 ||
//! y.c1 || y.c0`, each coordinate 32 bytes).
//!
//! On SBF these call `sol_alt_bn128_group_op` directly into caller-owned buffers (the crate
//! wrappers allocate a `Vec` per call and the SBF heap is a 32 KiB bump allocator that never frees);
//! on the host they use `solana-bn254`, the runtime's own implementation, so pure code built on them
//! (`batch.rs`) is unit-testable. Costs on chain: add 334, mul 3,840, pairing 36,364 + 12,121 per
//! extra pair.
//!
//! What the syscalls check (and therefore what we rely on): every G1 input is decoded and must be
//! on the curve (BN254 G1 has cofactor 1, so on-curve means in the subgroup); coordinates ≥ p are
//! rejected. Pairing inputs in G2 are decoded with arkworks' `Validate::Yes`, which checks both
//! the curve equation and membership of the r-torsion subgroup. Scalars are any 256-bit integers.

/// Result of a failed syscall: the input was malformed or a point was not on the curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bn254Error;

#[cfg(target_os = "solana")]
mod imp {
    use super::Bn254Error;
    use solana_define_syscall::definitions::sol_alt_bn128_group_op;

    const G1_ADD_BE: u64 = 0;
    const G1_MUL_BE: u64 = 2;
    const PAIRING_BE: u64 = 3;

    fn op(code: u64, input: &[u8], out: &mut [u8]) -> Result<(), Bn254Error> {
        // SAFETY: `input` and `out` are live slices; the runtime writes at most `out.len()` bytes
        // for these operations (64 for add/mul, 32 for pairing).
        let rc = unsafe {
            sol_alt_bn128_group_op(code, input.as_ptr(), input.len() as u64, out.as_mut_ptr())
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(Bn254Error)
        }
    }

    pub fn g1_add(input: &[u8; 128]) -> Result<[u8; 64], Bn254Error> {
        let mut out = [0u8; 64];
        op(G1_ADD_BE, input, &mut out)?;
        Ok(out)
    }

    pub fn g1_mul(input: &[u8; 96]) -> Result<[u8; 64], Bn254Error> {
        let mut out = [0u8; 64];
        op(G1_MUL_BE, input, &mut out)?;
        Ok(out)
    }

    pub fn pairing(input: &[u8]) -> Result<bool, Bn254Error> {
        let mut out = [0u8; 32];
        op(PAIRING_BE, input, &mut out)?;
        Ok(out[31] == 1 && out[..31].iter().all(|b| *b == 0))
    }
}

#[cfg(not(target_os = "solana"))]
mod imp {
    use super::Bn254Error;
    use solana_bn254::prelude::{
        alt_bn128_g1_addition_be, alt_bn128_g1_multiplication_be, alt_bn128_pairing_be,
    };

    fn to64(v: Vec<u8>) -> Result<[u8; 64], Bn254Error> {
        v.try_into().map_err(|_| Bn254Error)
    }

    pub fn g1_add(input: &[u8; 128]) -> Result<[u8; 64], Bn254Error> {
        to64(alt_bn128_g1_addition_be(input).map_err(|_| Bn254Error)?)
    }

    pub fn g1_mul(input: &[u8; 96]) -> Result<[u8; 64], Bn254Error> {
        to64(alt_bn128_g1_multiplication_be(input).map_err(|_| Bn254Error)?)
    }

    pub fn pairing(input: &[u8]) -> Result<bool, Bn254Error> {
        let out = alt_bn128_pairing_be(input).map_err(|_| Bn254Error)?;
        Ok(out.len() == 32 && out[31] == 1 && out[..31].iter().all(|b| *b == 0))
    }
}

pub use imp::{g1_add, g1_mul, pairing};

/// `p + q` for two G1 points.
pub fn add(p: &[u8; 64], q: &[u8; 64]) -> Result<[u8; 64], Bn254Error> {
    let mut input = [0u8; 128];
    input[..64].copy_from_slice(p);
    input[64..].copy_from_slice(q);
    g1_add(&input)
}

/// `s · p` for a G1 point and a 256-bit big-endian scalar (not reduced: any 256-bit value works).
pub fn mul(p: &[u8; 64], s: &[u8; 32]) -> Result<[u8; 64], Bn254Error> {
    let mut input = [0u8; 96];
    input[..64].copy_from_slice(p);
    input[64..].copy_from_slice(s);
    g1_mul(&input)
}
