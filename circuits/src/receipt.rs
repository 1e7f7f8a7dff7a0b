//! Native twins of the statement: receipt, public parameters, witness, nullifier and public-input hash.
//!
//! One source of truth shared by the prover, the attester/facilitator and the tests. See `docs/PROTOCOL.md`.

use crate::babyjubjub::Point;
use crate::eddsa::{self, Attester, Signature};
use crate::error::{Error, Result};
use crate::field::{fr_from_digest31, split_key};
use crate::poseidon;
use ark_bn254::Fr;
use ark_ff::Zero;
use sha2::{Digest, Sha256};
use x402_zk_encoding::{
    KeyHalves, PolicyHashInputs, PubHashInputs, ReceiptMessageInputs, POLICY_HASH_ARITY,
    PUB_HASH_ARITY,
};

/// A key's `(hi, lo)` halves as field elements (`x402_zk_encoding::split_key`).
fn key_halves(key: &[u8; 32]) -> KeyHalves<Fr> {
    let (hi, lo) = split_key(key);
    KeyHalves { hi, lo }
}

/// `C = Poseidon(secret, 0)`: the commitment the payer puts in the payment memo.
pub fn commitment(secret: &Fr) -> Fr {
    poseidon::hash(&[*secret, Fr::zero()]).expect("arity 2")
}

/// `domain = Poseidon(programId_hi, programId_lo)`.
pub fn domain(program_id: &[u8; 32]) -> Fr {
    let (hi, lo) = split_key(program_id);
    poseidon::hash(&[hi, lo]).expect("arity 2")
}

/// `nullifier = Poseidon(secret, domain)`.
pub fn nullifier(secret: &Fr, domain: &Fr) -> Fr {
    poseidon::hash(&[*secret, *domain]).expect("arity 2")
}

/// `resourceHash`: SHA-256 of the canonical request binding, first 31 bytes big-endian (always < r).
pub fn resource_hash(canonical_binding: &[u8]) -> Fr {
    let d: [u8; 32] = Sha256::digest(canonical_binding).into();
    fr_from_digest31(&d)
}

/// What the attester signs: a finalized payment of `amount` of `asset` to `pay_to` at `paid_at`, carrying `C`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Recipient account (32 bytes).
    pub pay_to: [u8; 32],
    /// Mint (32 bytes); native SOL is 32 zero bytes.
    pub asset: [u8; 32],
    /// Amount in base units.
    pub amount: u64,
    /// Block time, unix seconds.
    pub paid_at: u64,
    /// Commitment `C = Poseidon(secret, 0)` from the memo.
    pub commitment: Fr,
}

impl Receipt {
    /// `M = Poseidon(payTo_hi, payTo_lo, asset_hi, asset_lo, amount, paidAt, C)`.
    pub fn message(&self) -> Fr {
        let inputs = ReceiptMessageInputs {
            pay_to: key_halves(&self.pay_to),
            asset: key_halves(&self.asset),
            amount: Fr::from(self.amount),
            paid_at: Fr::from(self.paid_at),
            commitment: self.commitment,
        };
        poseidon::hash(&inputs.ordered()).expect("arity 7")
    }

    /// Signs the receipt (attester side).
    pub fn sign(&self, attester: &Attester) -> Signature {
        attester.sign(&self.message())
    }
}

/// The public side of the statement, everything the verifier (program or facilitator) knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicParams {
    /// Attester public key A.
    pub attester: Point,
    /// Merchant account the payment must go to.
    pub pay_to: [u8; 32],
    /// Asset (mint; 32 zero bytes for native SOL).
    pub asset: [u8; 32],
    /// Minimum amount, base units.
    pub min_amount: u64,
    /// Verifier's current time, unix seconds.
    pub now: u64,
    /// Maximum receipt age in seconds.
    pub max_age: u64,
    /// Resource/request binding hash (< 2^248).
    pub resource_hash: Fr,
    /// Verifier program id (determines `domain`).
    pub program_id: [u8; 32],
}

impl PublicParams {
    /// `domain = Poseidon(programId_hi, programId_lo)`.
    pub fn domain(&self) -> Fr {
        domain(&self.program_id)
    }

    /// The 9 per-merchant values hashed into `policyHash`, in order.
    pub fn policy_hash_inputs(&self) -> [Fr; POLICY_HASH_ARITY] {
        PolicyHashInputs {
            attester_x: self.attester.x,
            attester_y: self.attester.y,
            pay_to: key_halves(&self.pay_to),
            asset: key_halves(&self.asset),
            min_amount: Fr::from(self.min_amount),
            max_age: Fr::from(self.max_age),
            domain: self.domain(),
        }
        .ordered()
    }

    /// `policyHash = Poseidon(Ax, Ay, payTo_hi, payTo_lo, asset_hi, asset_lo, minAmount, maxAge,
    /// domain)`: the merchant's terms (what a `Policy` account holds on chain).
    pub fn policy_hash(&self) -> Fr {
        poseidon::hash(&self.policy_hash_inputs()).expect("arity 9")
    }

    /// The 4 values hashed into the single public input, in order.
    pub fn pub_hash_inputs(&self, nullifier: &Fr) -> [Fr; PUB_HASH_ARITY] {
        PubHashInputs {
            policy_hash: self.policy_hash(),
            now: Fr::from(self.now),
            resource_hash: self.resource_hash,
            nullifier: *nullifier,
        }
        .ordered()
    }

    /// The only Groth16 public input: `pubHash = Poseidon(policyHash, now, resourceHash,
    /// nullifier)`.
    pub fn pub_hash(&self, nullifier: &Fr) -> Fr {
        poseidon::hash(&self.pub_hash_inputs(nullifier)).expect("arity 4")
    }
}

/// Everything the prover needs: public parameters plus the private receipt data (a proof request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// Public side.
    pub public: PublicParams,
    /// The payer's secret (never leaves the prover).
    pub secret: Fr,
    /// Amount actually paid.
    pub amount: u64,
    /// Block time of the payment.
    pub paid_at: u64,
    /// Attester signature over the receipt message.
    pub signature: Signature,
}

/// Alias used by the prover service.
pub type ProofRequest = Witness;

impl Witness {
    /// The receipt this witness claims (payTo and asset are the public ones).
    pub fn receipt(&self) -> Receipt {
        Receipt {
            pay_to: self.public.pay_to,
            asset: self.public.asset,
            amount: self.amount,
            paid_at: self.paid_at,
            commitment: commitment(&self.secret),
        }
    }

    /// `nullifier = Poseidon(secret, domain)`.
    pub fn nullifier(&self) -> Fr {
        nullifier(&self.secret, &self.public.domain())
    }

    /// The public input this witness proves.
    pub fn pub_hash(&self) -> Fr {
        self.public.pub_hash(&self.nullifier())
    }

    /// Checks the statement natively; names the first failed check. The circuit enforces the same list.
    pub fn check(&self) -> Result<()> {
        let p = &self.public;
        if self.amount < p.min_amount {
            return Err(Error::Unsatisfied("amount below minAmount"));
        }
        if self.paid_at > p.now {
            return Err(Error::Unsatisfied("payment time is in the future"));
        }
        if p.now - self.paid_at > p.max_age {
            return Err(Error::Unsatisfied("receipt older than maxAge"));
        }
        if p.resource_hash >= Fr::from(2u64).pow_u64(248) {
            return Err(Error::Unsatisfied("resourceHash must be a 31-byte value"));
        }
        eddsa::verify(&p.attester, &self.receipt().message(), &self.signature)
    }
}

trait PowU64 {
    fn pow_u64(&self, e: u64) -> Self;
}
impl PowU64 for Fr {
    fn pow_u64(&self, e: u64) -> Self {
        ark_ff::Field::pow(self, [e])
    }
}

/// A consistent example witness (tests, benches, CLI demos). Deterministic in `seed`.
pub fn example_witness(seed: u64) -> (Attester, Witness) {
    use ark_ff::UniformRand;
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(seed);
    let attester = Attester::generate(&mut rng);
    let secret = Fr::rand(&mut rng);
    let public = PublicParams {
        attester: attester.public(),
        pay_to: [7u8; 32],
        asset: [0u8; 32],
        min_amount: 1_000,
        now: 1_760_000_600,
        max_age: 3_600,
        resource_hash: resource_hash(b"GET https://example.com/weather"),
        program_id: [9u8; 32],
    };
    let receipt = Receipt {
        pay_to: public.pay_to,
        asset: public.asset,
        amount: 1_500,
        paid_at: 1_760_000_000,
        commitment: commitment(&secret),
    };
    let signature = receipt.sign(&attester);
    let w = Witness {
        public,
        secret,
        amount: receipt.amount,
        paid_at: receipt.paid_at,
        signature,
    };
    (attester, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_is_valid_and_checks_fail_when_violated() {
        let (_, w) = example_witness(1);
        w.check().unwrap();
        let mut x = w.clone();
        x.public.min_amount = 2_000;
        assert!(x.check().is_err());
        let mut x = w.clone();
        x.public.now = w.paid_at - 1;
        assert!(x.check().is_err());
        let mut x = w.clone();
        x.public.max_age = 10;
        assert!(x.check().is_err());
        let mut x = w.clone();
        x.public.pay_to[0] ^= 1;
        assert!(matches!(x.check(), Err(Error::BadSignature)));
        let mut x = w.clone();
        x.amount += 1;
        assert!(x.check().is_err());
        assert_ne!(w.nullifier(), {
            let mut x = w.clone();
            x.public.program_id[0] ^= 1;
            x.nullifier()
        });
    }
}
