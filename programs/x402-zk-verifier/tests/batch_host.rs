//! Host tests of the RLC batch verifier (`batch.rs`) on a toy circuit (`x · y = z`, `z` public),
//! proven with arkworks: valid batches pass; any tampering fails; malformed points are typed.
use ark_bn254::{Bn254, Fq, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_relations::lc;
use ark_snark::SNARK;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use groth16_solana::groth16::{Groth16Verifier, Groth16Verifyingkey};
use proptest::prelude::*;
use x402_zk_verifier::batch::{verify_batch, BatchError, Entry};

#[derive(Clone)]
struct Mul {
    x: Option<Fr>,
    y: Option<Fr>,
}

impl ConstraintSynthesizer<Fr> for Mul {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let z_val = self.x.zip(self.y).map(|(x, y)| x * y);
        let z = cs.new_input_variable(|| z_val.ok_or(SynthesisError::AssignmentMissing))?;
        let x = cs.new_witness_variable(|| self.x.ok_or(SynthesisError::AssignmentMissing))?;
        let y = cs.new_witness_variable(|| self.y.ok_or(SynthesisError::AssignmentMissing))?;
        cs.enforce_r1cs_constraint(|| lc!() + x, || lc!() + y, || lc!() + z)?;
        Ok(())
    }
}

fn fq(f: &Fq) -> [u8; 32] {
    f.into_bigint().to_bytes_be().try_into().unwrap()
}
fn g1(p: &G1Affine) -> [u8; 64] {
    let mut o = [0u8; 64];
    if let Some((x, y)) = p.xy() {
        o[..32].copy_from_slice(&fq(&x));
        o[32..].copy_from_slice(&fq(&y));
    }
    o
}
fn g2(p: &G2Affine) -> [u8; 128] {
    let mut o = [0u8; 128];
    if let Some((x, y)) = p.xy() {
        o[..32].copy_from_slice(&fq(&x.c1));
        o[32..64].copy_from_slice(&fq(&x.c0));
        o[64..96].copy_from_slice(&fq(&y.c1));
        o[96..].copy_from_slice(&fq(&y.c0));
    }
    o
}

struct Setup {
    vk: Groth16Verifyingkey<'static>,
    proofs: Vec<([u8; 256], [u8; 32])>,
}

fn setup(n: usize, seed: u64) -> Setup {
    let mut rng = StdRng::seed_from_u64(seed);
    let (pk, vk) =
        Groth16::<Bn254>::circuit_specific_setup(Mul { x: None, y: None }, &mut rng).unwrap();
    let ic: Vec<[u8; 64]> = vk.gamma_abc_g1.iter().map(g1).collect();
    let vk_s = Groth16Verifyingkey {
        nr_pubinputs: 1,
        vk_alpha_g1: g1(&vk.alpha_g1),
        vk_beta_g2: g2(&vk.beta_g2),
        vk_gamma_g2: g2(&vk.gamma_g2),
        vk_delta_g2: g2(&vk.delta_g2),
        vk_ic: Box::leak(ic.into_boxed_slice()),
        vk_commitment: None,
    };
    let proofs = (0..n as u64)
        .map(|i| {
            let (x, y) = (Fr::from(3 + i), Fr::from(1000 + 7 * i) * Fr::from(u64::MAX));
            let p = Groth16::<Bn254>::prove(
                &pk,
                Mul {
                    x: Some(x),
                    y: Some(y),
                },
                &mut rng,
            )
            .unwrap();
            let mut b = [0u8; 256];
            b[..64].copy_from_slice(&g1(&(-p.a)));
            b[64..192].copy_from_slice(&g2(&p.b));
            b[192..].copy_from_slice(&g1(&p.c));
            let z: [u8; 32] = (x * y).into_bigint().to_bytes_be().try_into().unwrap();
            (b, z)
        })
        .collect();
    Setup { vk: vk_s, proofs }
}

fn entries(proofs: &[([u8; 256], [u8; 32])]) -> Vec<Entry<'_, 1>> {
    proofs
        .iter()
        .map(|(p, z)| Entry {
            proof: p,
            inputs: [*z],
        })
        .collect()
}

const VK_HASH: [u8; 32] = [42; 32];

#[test]
fn valid_batches_verify_and_agree_with_single_verification() {
    let s = setup(6, 1);
    for (p, z) in &s.proofs {
        let (a, rest) = p.split_at(64);
        let (b, c) = rest.split_at(128);
        let inputs = [*z];
        let mut v = Groth16Verifier::new(
            a.try_into().unwrap(),
            b.try_into().unwrap(),
            c.try_into().unwrap(),
            &inputs,
            &s.vk,
        )
        .unwrap();
        v.verify().unwrap();
    }
    for n in 1..=6 {
        assert_eq!(
            verify_batch(&s.vk, &VK_HASH, &entries(&s.proofs[..n])),
            Ok(()),
            "n = {n}"
        );
    }
}

/// The alt_bn128 syscalls read a G2 coordinate's top bits as serialization flags, so `B.y.c1 + 2^255`
/// (bit 7 of proof byte 128) decodes to the same point. Found by `any_byte_flip_fails`; every
/// coordinate ≥ p is now refused before any syscall.
#[test]
fn non_canonical_coordinates_are_refused() {
    let s = setup(3, 2);
    for (off, bit) in [(128, 7), (64, 7), (0, 7), (192, 6), (255, 0)] {
        let mut ps = s.proofs.clone();
        let before = ps[1].0;
        ps[1].0[off] |= 1 << bit;
        if ps[1].0 == before {
            continue;
        }
        let r = verify_batch(&s.vk, &VK_HASH, &entries(&ps));
        if off != 255 {
            assert_eq!(
                r,
                Err(BatchError::MalformedProof(1)),
                "byte {off} bit {bit}"
            );
        } else {
            assert!(r.is_err(), "byte {off} bit {bit}");
        }
    }
    let mut p = s.proofs[0].0;
    assert!(x402_zk_verifier::batch::proof_coordinates_canonical(&p));
    p[128] ^= 0x80;
    assert!(!x402_zk_verifier::batch::proof_coordinates_canonical(&p));
    let mut p = s.proofs[0].0;
    p[224..256].copy_from_slice(&x402_zk_verifier::batch::FQ_MODULUS_BE);
    assert!(!x402_zk_verifier::batch::proof_coordinates_canonical(&p));
}

#[test]
fn tampering_fails() {
    let s = setup(4, 2);
    // Wrong public input.
    let mut ps = s.proofs.clone();
    ps[2].1[31] ^= 1;
    assert_eq!(
        verify_batch(&s.vk, &VK_HASH, &entries(&ps)),
        Err(BatchError::VerificationFailed)
    );
    // Swapped C between two proofs (both valid points).
    let mut ps = s.proofs.clone();
    let c0 = ps[0].0[192..].to_vec();
    let c1 = ps[1].0[192..].to_vec();
    ps[0].0[192..].copy_from_slice(&c1);
    ps[1].0[192..].copy_from_slice(&c0);
    assert_eq!(
        verify_batch(&s.vk, &VK_HASH, &entries(&ps)),
        Err(BatchError::VerificationFailed)
    );
    // Non-negated A on proof 0 (the r₀ = 1 slot).
    let mut ps = s.proofs.clone();
    let a0 = G1Affine::new_unchecked(
        Fq::from_be_bytes_mod_order(&ps[0].0[..32]),
        Fq::from_be_bytes_mod_order(&ps[0].0[32..64]),
    );
    ps[0].0[..64].copy_from_slice(&g1(&-a0));
    assert_eq!(
        verify_batch(&s.vk, &VK_HASH, &entries(&ps)),
        Err(BatchError::VerificationFailed)
    );
    // Off-curve A on proof 3.
    let mut ps = s.proofs.clone();
    ps[3].0[40] ^= 1;
    assert_eq!(
        verify_batch(&s.vk, &VK_HASH, &entries(&ps)),
        Err(BatchError::MalformedProof(3))
    );
    // Off-curve B: only the pairing sees it.
    let mut ps = s.proofs.clone();
    ps[1].0[100] ^= 1;
    assert_eq!(
        verify_batch(&s.vk, &VK_HASH, &entries(&ps)),
        Err(BatchError::VerificationFailed)
    );
    // Empty.
    assert_eq!(
        verify_batch::<1>(&s.vk, &VK_HASH, &[]),
        Err(BatchError::Empty)
    );
}

/// A classic RLC pitfall: two invalid proofs whose errors cancel when both coefficients are 1.
/// With transcript-derived rᵢ, shifting C of one proof by +D and another by −D must fail.
#[test]
fn cancelling_errors_are_caught() {
    let s = setup(2, 3);
    let mut ps = s.proofs.clone();
    let d = G1Affine::generator();
    let c0 = G1Affine::new_unchecked(
        Fq::from_be_bytes_mod_order(&ps[0].0[192..224]),
        Fq::from_be_bytes_mod_order(&ps[0].0[224..256]),
    );
    let c1 = G1Affine::new_unchecked(
        Fq::from_be_bytes_mod_order(&ps[1].0[192..224]),
        Fq::from_be_bytes_mod_order(&ps[1].0[224..256]),
    );
    ps[0].0[192..].copy_from_slice(&g1(&(c0 + d).into()));
    ps[1].0[192..].copy_from_slice(&g1(&(c1 - d).into()));
    assert_eq!(
        verify_batch(&s.vk, &VK_HASH, &entries(&ps)),
        Err(BatchError::VerificationFailed)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]
    /// Any single-byte change anywhere in a batch of 3 makes it fail, with a typed error, never a panic.
    #[test]
    fn any_byte_flip_fails(idx in 0usize..3 * 288, bit in 0u8..8) {
        thread_local!(static S: Setup = setup(3, 4));
        S.with(|s| {
            let mut ps = s.proofs.clone();
            let (i, off) = (idx / 288, idx % 288);
            if off < 256 { ps[i].0[off] ^= 1 << bit } else { ps[i].1[off - 256] ^= 1 << bit }
            let r = verify_batch(&s.vk, &VK_HASH, &entries(&ps));
            prop_assert!(r.is_err());
            Ok(())
        })?;
    }
}
