//! circomlib EdDSA-Poseidon on BabyJubJub: keys, signing and verification natively, and the verifier gadget.
//!
//! Compatible with circomlibjs `eddsa.prv2pub` / `signPoseidon` / `verifyPoseidon`:
//! `h = BLAKE-512(sk)` (the original BLAKE, as the npm `blake-hash` package, not BLAKE2); `s` = prune(h[0..32]) as
//! little-endian integer; `A = (s >> 3)·B8`; `r = BLAKE-512(h[32..64] || M as 32-byte LE) mod l`; `R8 = r·B8`;
//! `hm = Poseidon(R8x, R8y, Ax, Ay, M)`; `S = (r + hm·s) mod l`.
//! Verification: `S < l`, `A` not of small order, `S·B8 == R8 + (8·hm)·A`.

use crate::babyjubjub::{fixed_base_mul, subgroup_order, var_base_mul, Point, PointVar};
use crate::error::{Error, Result};
use crate::field::{fr_from_biguint_checked, fr_to_biguint};
use crate::poseidon;
use crate::r1cs::{enforce_bits_le_below, to_bits_le, to_bits_le_strict, Cs, Num, R};
use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use blake_hash::{Blake512, Digest};
use num_bigint::BigUint;

/// Bits of S: l < 2^251.
pub const S_BITS: usize = 251;

/// An EdDSA-Poseidon signature `(R8, S)` with `S < l`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The commitment point R8.
    pub r8: Point,
    /// The scalar S (must be < l).
    pub s: Fr,
}

/// An attester key pair. The 32-byte secret is the circomlibjs private key (`prv`).
#[derive(Clone)]
pub struct Attester {
    secret: [u8; 32],
    /// Pruned scalar s (a multiple of 8).
    s: BigUint,
    /// Second half of BLAKE-512(secret), the nonce prefix.
    prefix: [u8; 32],
    public: Point,
}

impl std::fmt::Debug for Attester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attester")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

fn blake512(data: &[u8]) -> [u8; 64] {
    let mut h = Blake512::new();
    h.update(data);
    let out = h.finalize();
    let mut r = [0u8; 64];
    r.copy_from_slice(&out);
    r
}

impl Attester {
    /// Derives the key pair from a 32-byte private key exactly as circomlibjs does.
    pub fn from_secret(secret: [u8; 32]) -> Self {
        let mut h = blake512(&secret);
        h[0] &= 0xF8;
        h[31] &= 0x7F;
        h[31] |= 0x40;
        let s = BigUint::from_bytes_le(&h[..32]);
        let public = Point::base8().mul(&(&s >> 3u32));
        let mut prefix = [0u8; 32];
        prefix.copy_from_slice(&h[32..]);
        Attester {
            secret,
            s,
            prefix,
            public,
        }
    }

    /// A fresh random key.
    pub fn generate<Rn: ark_std::rand::RngCore + ?Sized>(rng: &mut Rn) -> Self {
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        Self::from_secret(secret)
    }

    /// The 32-byte private key (keep secret).
    pub fn secret(&self) -> &[u8; 32] {
        &self.secret
    }

    /// Public key A = (Ax, Ay).
    pub fn public(&self) -> Point {
        self.public
    }

    /// Signs a field element message (deterministic, as circomlibjs `signPoseidon`).
    pub fn sign(&self, msg: &Fr) -> Signature {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(&self.prefix);
        buf[32..].copy_from_slice(&msg.into_bigint().to_bytes_le());
        let r = BigUint::from_bytes_le(&blake512(&buf)) % subgroup_order();
        let r8 = Point::base8().mul(&r);
        let hm = challenge(&r8, &self.public, msg);
        let s = (r + fr_to_biguint(&hm) * &self.s) % subgroup_order();
        Signature {
            r8,
            s: fr_from_biguint_checked(&s, "S").expect("S < l < r"),
        }
    }
}

/// `hm = Poseidon(R8x, R8y, Ax, Ay, M)`.
pub fn challenge(r8: &Point, a: &Point, msg: &Fr) -> Fr {
    poseidon::hash(&[r8.x, r8.y, a.x, a.y, *msg]).expect("arity 5")
}

/// Verifies a signature natively (same checks as circomlibjs `verifyPoseidon` plus the small-order key check the
/// circuit makes).
pub fn verify(public: &Point, msg: &Fr, sig: &Signature) -> Result<()> {
    if !public.is_on_curve() {
        return Err(Error::NotOnCurve {
            what: "attester key",
        });
    }
    if !sig.r8.is_on_curve() {
        return Err(Error::NotOnCurve {
            what: "signature R8",
        });
    }
    if public.is_small_order() {
        return Err(Error::SmallOrderKey);
    }
    let s = fr_to_biguint(&sig.s);
    if s >= *subgroup_order() {
        return Err(Error::ScalarNotCanonical);
    }
    let hm = fr_to_biguint(&challenge(&sig.r8, public, msg));
    let left = Point::base8().mul(&s);
    let right = sig.r8.add(&public.mul(&(hm * 8u32)));
    if left != right {
        return Err(Error::BadSignature);
    }
    Ok(())
}

/// In-circuit signature.
#[derive(Clone, Debug)]
pub struct SignatureVar {
    /// R8, enforced on the curve.
    pub r8: PointVar,
    /// S.
    pub s: Num,
}

impl SignatureVar {
    /// Allocates the signature as private witnesses (R8 on-curve check included).
    pub fn witness(cs: &Cs, sig: Option<Signature>) -> R<Self> {
        Ok(SignatureVar {
            r8: PointVar::witness_on_curve(cs, sig.map(|s| s.r8))?,
            s: Num::witness(cs, sig.map(|s| s.s))?,
        })
    }
}

/// EdDSA-Poseidon verifier gadget (circomlib `EdDSAPoseidonVerifier` semantics).
/// `public` must already be constrained on the curve (see [`PointVar::witness_on_curve`] / `enforce_on_curve`).
pub fn verify_gadget(cs: &Cs, public: &PointVar, msg: &Num, sig: &SignatureVar) -> R<()> {
    // S < l, with S in 251 bits.
    let s_bits = to_bits_le(cs, &sig.s, S_BITS)?;
    let l_bits = BigUint::to_bytes_le(subgroup_order());
    let l_bits: Vec<bool> = (0..256)
        .map(|i| (l_bits.get(i / 8).copied().unwrap_or(0) >> (i % 8)) & 1 == 1)
        .collect();
    enforce_bits_le_below(cs, &s_bits, &l_bits)?;
    // hm = Poseidon(R8x, R8y, Ax, Ay, M), decomposed canonically (as circomlib's Num2Bits_strict).
    let hm = poseidon::hash_gadget(
        cs,
        &[
            sig.r8.x.clone(),
            sig.r8.y.clone(),
            public.x.clone(),
            public.y.clone(),
            msg.clone(),
        ],
    )?;
    let hm_bits = to_bits_le_strict(cs, &hm)?;
    // 8·A, which must not be the identity (A of small order would let anyone sign).
    let a8 = public.double(cs)?.double(cs)?.double(cs)?;
    a8.x.enforce_nonzero(cs)?;
    // S·B8 == R8 + hm·(8·A)
    let left = fixed_base_mul(cs, &Point::base8(), &s_bits)?;
    let right = sig.r8.add(cs, &var_base_mul(cs, &a8, &hm_bits)?)?;
    left.enforce_equal(cs, &right)
}

/// Helper for tests and tools: `Fr` → little-endian bits.
pub fn scalar_bits(f: &Fr) -> Vec<bool> {
    f.into_bigint().to_bits_le()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::ConstraintSystem;
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    fn check_in_circuit(a: &Point, m: &Fr, sig: &Signature) -> (bool, usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let av = PointVar::witness_on_curve(&cs, Some(*a)).unwrap();
        let mv = Num::witness(&cs, Some(*m)).unwrap();
        let sv = SignatureVar::witness(&cs, Some(*sig)).unwrap();
        // The gadget may fail to synthesise only if a division by zero occurs, which the complete law excludes.
        verify_gadget(&cs, &av, &mv, &sv).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    #[test]
    fn sign_verify_native_and_circuit() {
        let mut rng = StdRng::seed_from_u64(3);
        let key = Attester::generate(&mut rng);
        let m = Fr::rand(&mut rng);
        let sig = key.sign(&m);
        verify(&key.public(), &m, &sig).unwrap();
        let (ok, n) = check_in_circuit(&key.public(), &m, &sig);
        assert!(ok);
        eprintln!("eddsa verifier constraints (incl. allocation): {n}");
        // wrong message
        let m2 = m + Fr::from(1u64);
        assert!(verify(&key.public(), &m2, &sig).is_err());
        assert!(!check_in_circuit(&key.public(), &m2, &sig).0);
        // wrong key
        let other = Attester::generate(&mut rng);
        assert!(verify(&other.public(), &m, &sig).is_err());
        assert!(!check_in_circuit(&other.public(), &m, &sig).0);
        // S + l: same point, but non-canonical
        let s_plus_l = fr_to_biguint(&sig.s) + subgroup_order();
        let bad = Signature {
            s: fr_from_biguint_checked(&s_plus_l, "s").unwrap(),
            ..sig
        };
        assert!(matches!(
            verify(&key.public(), &m, &bad),
            Err(Error::ScalarNotCanonical)
        ));
        assert!(!check_in_circuit(&key.public(), &m, &bad).0);
        // tampered S
        let bad = Signature {
            s: sig.s + Fr::from(1u64),
            ..sig
        };
        assert!(!check_in_circuit(&key.public(), &m, &bad).0);
    }
}
