//! The receipt statement as one `ConstraintSynthesizer`: `generate_constraints` reads like the check list in
//! `docs/PROTOCOL.md`.

use crate::babyjubjub::{Point, PointVar};
use crate::eddsa::{self, Signature, SignatureVar};
use crate::field::split_key;
use crate::poseidon::hash_gadget as poseidon;
use crate::r1cs::{enforce_le, range_check, Num};
use crate::receipt::Witness;
use ark_bn254::Fr;
use ark_ff::Zero;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use x402_zk_encoding::{KeyHalves, PolicyHashInputs, PubHashInputs, ReceiptMessageInputs};

/// Bit width of amounts and times.
pub const U64_BITS: usize = 64;

/// The raw field values fed to the circuit. Built from a [`Witness`]; tests tamper with single fields to check
/// that every violated condition makes the system unsatisfied.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// The single public input.
    pub pub_hash: Fr,
    /// Attester key A.
    pub attester: Point,
    /// payTo (hi, lo).
    pub pay_to: (Fr, Fr),
    /// asset (hi, lo).
    pub asset: (Fr, Fr),
    /// minAmount.
    pub min_amount: Fr,
    /// now.
    pub now: Fr,
    /// maxAge.
    pub max_age: Fr,
    /// resourceHash.
    pub resource_hash: Fr,
    /// nullifier.
    pub nullifier: Fr,
    /// domain.
    pub domain: Fr,
    /// Private: amount.
    pub amount: Fr,
    /// Private: paidAt.
    pub paid_at: Fr,
    /// Private: secret.
    pub secret: Fr,
    /// Private: signature.
    pub signature: Signature,
}

impl From<&Witness> for Assignment {
    fn from(w: &Witness) -> Self {
        let p = &w.public;
        let nullifier = w.nullifier();
        Assignment {
            pub_hash: p.pub_hash(&nullifier),
            attester: p.attester,
            pay_to: split_key(&p.pay_to),
            asset: split_key(&p.asset),
            min_amount: Fr::from(p.min_amount),
            now: Fr::from(p.now),
            max_age: Fr::from(p.max_age),
            resource_hash: p.resource_hash,
            nullifier,
            domain: p.domain(),
            amount: Fr::from(w.amount),
            paid_at: Fr::from(w.paid_at),
            secret: w.secret,
            signature: w.signature,
        }
    }
}

/// The receipt circuit. `assignment = None` for key generation.
#[derive(Clone, Debug, Default)]
pub struct ReceiptCircuit {
    /// Values, or `None` in setup mode.
    pub assignment: Option<Assignment>,
}

impl ReceiptCircuit {
    /// Circuit for key setup (no values).
    pub fn blank() -> Self {
        Self::default()
    }

    /// Circuit with a full assignment for proving.
    pub fn new(w: &Witness) -> Self {
        ReceiptCircuit {
            assignment: Some(w.into()),
        }
    }
}

impl ConstraintSynthesizer<Fr> for ReceiptCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let a = self.assignment.as_ref();
        let cs = &cs;
        let w = |f: fn(&Assignment) -> Fr| Num::witness(cs, a.map(f));

        // The single public input.
        let pub_hash = Num::input(cs, a.map(|a| a.pub_hash))?;

        // Public values (bound only through pubHash).
        let attester = PointVar::witness_on_curve(cs, a.map(|a| a.attester))?;
        let pay_to = (w(|a| a.pay_to.0)?, w(|a| a.pay_to.1)?);
        let asset = (w(|a| a.asset.0)?, w(|a| a.asset.1)?);
        let min_amount = w(|a| a.min_amount)?;
        let now = w(|a| a.now)?;
        let max_age = w(|a| a.max_age)?;
        let resource_hash = w(|a| a.resource_hash)?;
        let nullifier = w(|a| a.nullifier)?;
        let domain = w(|a| a.domain)?;

        // Private values.
        let amount = w(|a| a.amount)?;
        let paid_at = w(|a| a.paid_at)?;
        let secret = w(|a| a.secret)?;
        let sig = SignatureVar::witness(cs, a.map(|a| a.signature))?;

        // 1. C = Poseidon(secret, 0)
        let c = poseidon(cs, &[secret.clone(), Num::zero()])?;
        // 2. M = Poseidon(payTo_hi, payTo_lo, asset_hi, asset_lo, amount, paidAt, C)
        let m = poseidon(
            cs,
            &ReceiptMessageInputs {
                pay_to: KeyHalves {
                    hi: pay_to.0.clone(),
                    lo: pay_to.1.clone(),
                },
                asset: KeyHalves {
                    hi: asset.0.clone(),
                    lo: asset.1.clone(),
                },
                amount: amount.clone(),
                paid_at: paid_at.clone(),
                commitment: c,
            }
            .ordered(),
        )?;
        // 3. The attester signed M.
        eddsa::verify_gadget(cs, &attester, &m, &sig)?;
        // 4. Amounts and times are 64-bit values.
        for v in [&amount, &min_amount, &paid_at, &now, &max_age] {
            range_check(cs, v, U64_BITS)?;
        }
        // 5. amount ≥ minAmount
        enforce_le(cs, &min_amount, &amount, U64_BITS)?;
        // 6. paidAt ≤ now
        enforce_le(cs, &paid_at, &now, U64_BITS)?;
        // 7. now − paidAt ≤ maxAge
        enforce_le(cs, &now.sub(&paid_at), &max_age, U64_BITS)?;
        // 8. nullifier = Poseidon(secret, domain)
        poseidon(cs, &[secret, domain.clone()])?.enforce_equal(cs, &nullifier)?;
        // 9. policyHash binds the merchant's terms (an internal wire; the order is
        //    `x402_zk_encoding::PolicyHashInputs::ordered`, which the program uses too).
        let policy_hash = poseidon(
            cs,
            &PolicyHashInputs {
                attester_x: attester.x,
                attester_y: attester.y,
                pay_to: KeyHalves {
                    hi: pay_to.0,
                    lo: pay_to.1,
                },
                asset: KeyHalves {
                    hi: asset.0,
                    lo: asset.1,
                },
                min_amount,
                max_age,
                domain,
            }
            .ordered(),
        )?;
        // 10. pubHash binds the policy and the proof's own values
        //     (`x402_zk_encoding::PubHashInputs::ordered`).
        let h = poseidon(
            cs,
            &PubHashInputs {
                policy_hash,
                now,
                resource_hash,
                nullifier,
            }
            .ordered(),
        )?;
        h.enforce_equal(cs, &pub_hash)
    }
}

/// Number of constraints of the receipt circuit.
pub fn constraint_count() -> usize {
    let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    ReceiptCircuit::blank()
        .generate_constraints(cs.clone())
        .expect("synthesis");
    cs.num_constraints()
}

/// Checks a witness in a fresh constraint system (no proof): `Ok(true)` if satisfied.
pub fn is_satisfied(a: &Assignment) -> Result<bool, SynthesisError> {
    let assignment = a.clone();
    let check = move || {
        let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
        ReceiptCircuit {
            assignment: Some(assignment),
        }
        .generate_constraints(cs.clone())?;
        cs.is_satisfied()
    };
    // ark-relations evaluates every constraint through a rayon parallel iterator; dispatching ~7k
    // tiny jobs from outside the pool costs a cross-thread wake-up each. Inside a one-thread pool
    // the same iterators run inline. Without `parallel` they are plain iterators.
    #[cfg(feature = "parallel")]
    return inline_pool().install(check);
    #[cfg(not(feature = "parallel"))]
    check()
}

#[cfg(feature = "parallel")]
fn inline_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "x402-zk-check".into())
            .build()
            .expect("a one-thread rayon pool")
    })
}

#[allow(dead_code)]
fn _zero() -> Fr {
    Fr::zero()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::{example_witness, PublicParams, Receipt};
    use proptest::prelude::*;

    #[test]
    fn valid_receipt_satisfies_and_count_is_in_budget() {
        let (_, w) = example_witness(1);
        assert!(is_satisfied(&Assignment::from(&w)).unwrap());
        let n = constraint_count();
        eprintln!("receipt circuit constraints: {n}");
        assert!(n <= 8_000, "{n}");
    }

    /// Re-signs a tampered witness so only the targeted condition is violated.
    fn resign(attester: &crate::eddsa::Attester, w: &mut Witness) {
        w.signature = w.receipt().sign(attester);
    }

    #[test]
    fn each_violation_is_unsatisfied() {
        let (att, w) = example_witness(2);
        let ok = Assignment::from(&w);
        let bad = |f: &dyn Fn(&mut Assignment)| {
            let mut a = ok.clone();
            f(&mut a);
            assert!(!is_satisfied(&a).unwrap());
        };
        // amount < min (re-signed by the attester, so only the comparison fails)
        let mut x = w.clone();
        x.amount = w.public.min_amount - 1;
        resign(&att, &mut x);
        assert!(!is_satisfied(&Assignment::from(&x)).unwrap());
        // wrong payTo (the public one differs from the signed one)
        bad(&|a| a.pay_to.1 += Fr::from(1u64));
        // wrong asset
        bad(&|a| a.asset.0 += Fr::from(1u64));
        // too old
        let mut x = w.clone();
        x.public.now = w.paid_at + w.public.max_age + 1;
        assert!(!is_satisfied(&Assignment::from(&x)).unwrap());
        // future payment time
        let mut x = w.clone();
        x.public.now = w.paid_at - 1;
        assert!(!is_satisfied(&Assignment::from(&x)).unwrap());
        // wrong attester
        let (other, _) = example_witness(3);
        let mut x = w.clone();
        x.public.attester = other.public();
        assert!(!is_satisfied(&Assignment::from(&x)).unwrap());
        // bad signature
        bad(&|a| a.signature.s += Fr::from(1u64));
        bad(&|a| a.signature.r8 = a.signature.r8.double());
        // S ≥ l (same curve point, non-canonical scalar)
        bad(&|a| {
            let s =
                crate::field::fr_to_biguint(&a.signature.s) + crate::babyjubjub::subgroup_order();
            a.signature.s = crate::field::fr_from_biguint_checked(&s, "s").unwrap();
        });
        // wrong nullifier (consistent pubHash, but not Poseidon(secret, domain))
        bad(&|a| {
            a.nullifier += Fr::from(1u64);
            a.pub_hash = rehash(a);
        });
        // wrong domain
        bad(&|a| a.domain += Fr::from(1u64));
        // wrong resource: the verifier's pubHash uses another resourceHash
        bad(&|a| {
            let mut b = a.clone();
            b.resource_hash += Fr::from(1u64);
            a.pub_hash = rehash(&b);
        });
        // public values outside 64 bits
        bad(&|a| {
            a.max_age = -Fr::from(1u64);
            a.pub_hash = rehash(a);
        });
        // wrong secret
        bad(&|a| a.secret += Fr::from(1u64));
    }

    fn rehash(a: &Assignment) -> Fr {
        let policy = crate::poseidon::hash(&[
            a.attester.x,
            a.attester.y,
            a.pay_to.0,
            a.pay_to.1,
            a.asset.0,
            a.asset.1,
            a.min_amount,
            a.max_age,
            a.domain,
        ])
        .unwrap();
        crate::poseidon::hash(&[policy, a.now, a.resource_hash, a.nullifier]).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]
        #[test]
        fn circuit_agrees_with_native_check(
            amount in 0u64..3000, min_amount in 0u64..3000,
            paid_at in 1_000u64..2_000, now in 1_000u64..2_000, max_age in 0u64..600,
        ) {
            let (att, w0) = example_witness(5);
            let public = PublicParams { min_amount, now, max_age, ..w0.public };
            let r = Receipt { pay_to: public.pay_to, asset: public.asset, amount, paid_at,
                              commitment: crate::receipt::commitment(&w0.secret) };
            let w = Witness { public, secret: w0.secret, amount, paid_at, signature: r.sign(&att) };
            let native = w.check().is_ok();
            prop_assert_eq!(is_satisfied(&Assignment::from(&w)).unwrap(), native);
        }
    }
}
