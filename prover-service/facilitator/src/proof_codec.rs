//! Decodes the 256-byte groth16-solana proof (`-A || B || C`, big-endian, G2 as
//! `x.c1 || x.c0 || y.c1 || y.c0`; layout and the `< q` check: `x402_zk_encoding::proof`) back into an arkworks proof. Every coordinate must be < q
//! (rejected, never reduced), every point on its curve and in the prime-order subgroup, and none
//! may be the identity.
use ark_bn254::{Bn254, Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use ark_groth16::Proof;
use x402_zk_encoding::PROOF_LEN;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofDecodeError {
    #[error("proof must be 256 bytes, got {0}")]
    Length(usize),
    #[error("{0}: coordinate is not < the base field modulus")]
    NotCanonical(&'static str),
    #[error("{0}: point is not on the curve")]
    NotOnCurve(&'static str),
    #[error("{0}: point is not in the prime-order subgroup")]
    NotInSubgroup(&'static str),
    #[error("{0}: point at infinity is not a valid proof element")]
    Identity(&'static str),
}

fn fq(bytes: &[u8], what: &'static str) -> Result<Fq, ProofDecodeError> {
    if !x402_zk_encoding::is_canonical_fq(bytes) {
        return Err(ProofDecodeError::NotCanonical(what));
    }
    Ok(Fq::from_be_bytes_mod_order(bytes))
}

fn g1(bytes: &[u8], what: &'static str) -> Result<G1Affine, ProofDecodeError> {
    if bytes.iter().all(|b| *b == 0) {
        return Err(ProofDecodeError::Identity(what));
    }
    let p = G1Affine::new_unchecked(fq(&bytes[..32], what)?, fq(&bytes[32..64], what)?);
    if !p.is_on_curve() {
        return Err(ProofDecodeError::NotOnCurve(what));
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(ProofDecodeError::NotInSubgroup(what));
    }
    Ok(p)
}

fn g2(bytes: &[u8], what: &'static str) -> Result<G2Affine, ProofDecodeError> {
    if bytes.iter().all(|b| *b == 0) {
        return Err(ProofDecodeError::Identity(what));
    }
    let x = Fq2::new(fq(&bytes[32..64], what)?, fq(&bytes[..32], what)?);
    let y = Fq2::new(fq(&bytes[96..128], what)?, fq(&bytes[64..96], what)?);
    let p = G2Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(ProofDecodeError::NotOnCurve(what));
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(ProofDecodeError::NotInSubgroup(what));
    }
    Ok(p)
}

/// The arkworks proof behind a groth16-solana proof (A is negated back).
pub fn decode_solana_proof(bytes: &[u8]) -> Result<Proof<Bn254>, ProofDecodeError> {
    let bytes: &[u8; PROOF_LEN] = bytes
        .try_into()
        .map_err(|_| ProofDecodeError::Length(bytes.len()))?;
    let (neg_a, b, c) = x402_zk_encoding::split_proof(bytes);
    let neg_a = g1(neg_a, "proof_a")?;
    let b = g2(b, "proof_b")?;
    let c = g1(c, "proof_c")?;
    Ok(Proof {
        a: (-neg_a.into_group()).into(),
        b,
        c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use x402_zk_circuits::export::solana::proof_bytes;

    fn sample() -> Proof<Bn254> {
        Proof {
            a: G1Affine::generator(),
            b: G2Affine::generator(),
            c: (G1Affine::generator() + G1Affine::generator()).into(),
        }
    }

    #[test]
    fn round_trips_the_export() {
        let p = sample();
        assert_eq!(decode_solana_proof(&proof_bytes(&p)).unwrap(), p);
    }

    #[test]
    fn rejects_bad_encodings() {
        let good = proof_bytes(&sample());
        assert_eq!(
            decode_solana_proof(&good[..255]),
            Err(ProofDecodeError::Length(255))
        );
        let mut off = good;
        off[63] ^= 1;
        assert_eq!(
            decode_solana_proof(&off),
            Err(ProofDecodeError::NotOnCurve("proof_a"))
        );
        let mut big = good;
        big[192..224].copy_from_slice(&[0xff; 32]);
        assert_eq!(
            decode_solana_proof(&big),
            Err(ProofDecodeError::NotCanonical("proof_c"))
        );
        let mut zero = good;
        zero[64..192].copy_from_slice(&[0; 128]);
        assert_eq!(
            decode_solana_proof(&zero),
            Err(ProofDecodeError::Identity("proof_b"))
        );
    }
}
