//! The verifier program's instruction data, host-side, without a validator: any bytes are
//! dispatched on their 8-byte Anchor discriminator and decoded through the program's own
//! instruction types (`x402_zk_verifier::instruction::*`, what the entrypoint deserializes), then
//! run through the checks the handlers make before any account or syscall is touched:
//!
//! - decoding never panics; what decodes re-encodes (Anchor `InstructionData`) to exactly the
//!   bytes consumed (no two encodings of one instruction);
//! - every `PaymentProof` agrees with the encoding crate's layout (`layout::payment::PaymentRef`,
//!   the proof buffer's reader): same fields, same 328 bytes;
//! - the public values: `require_canonical` (nullifier, resourceHash) accepts exactly the values
//!   `< r`; a proof's coordinates are canonical exactly when `< q`; `pub_hash` refuses exactly the
//!   non-canonical payments and never panics; `check_clock` never overflows;
//! - `register_policy`: `policy_hash` over the decoded terms (with an attester and domain taken
//!   from the input) never panics and accepts every canonical attester and domain;
//! - a proof buffer whose body is the decoded payments reads back (`ProofBufferHeader::read`,
//!   `proof_refs`) as the same payments, and the raw input read as a buffer never panics;
//! - `set_verifying_key` / `initialize_config`: `validate_key` never panics and accepts only
//!   canonical coordinates.

use crate::Outcome;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator, InstructionData};
use x402_zk_encoding::is_canonical_fr;
use x402_zk_encoding::layout::payment::PaymentRef;
use x402_zk_encoding::layout::proof_buffer;
use x402_zk_verifier::instruction as ix;
use x402_zk_verifier::instructions::proof_buffer::{proof_refs, ProofBufferHeader};
use x402_zk_verifier::instructions::verify_payment::PaymentProof;
use x402_zk_verifier::public_input::{policy_hash, pub_hash, require_canonical, ProofPublic};
use x402_zk_verifier::verify::check_clock;

/// Decodes `body` as `T` the way Anchor's dispatcher does (borsh from a slice, trailing bytes
/// allowed) and checks the re-encoding equals the consumed prefix.
fn decode<T: AnchorDeserialize + InstructionData>(body: &[u8]) -> Option<T> {
    let mut rest = body;
    let v = T::deserialize(&mut rest).ok()?;
    let consumed = body.len() - rest.len();
    assert_eq!(
        &v.data()[8..],
        &body[..consumed],
        "re-encoding differs from the bytes decoded"
    );
    Some(v)
}

/// An attester key and a domain taken from the input (canonical or not: the program's config
/// holds canonical ones, the hash must not panic on others).
fn attester_and_domain(data: &[u8]) -> ([u8; 64], [u8; 32]) {
    let mut attester = [0u8; 64];
    let mut domain = [0u8; 32];
    for (i, b) in data.iter().take(96).enumerate() {
        if i < 64 {
            attester[i] = *b;
        } else {
            domain[i - 64] = *b;
        }
    }
    (attester, domain)
}

fn canonical_key(attester: &[u8; 64], domain: &[u8; 32]) -> bool {
    is_canonical_fr(domain)
        && attester
            .chunks_exact(32)
            .all(|c| is_canonical_fr(c.try_into().unwrap()))
}

fn check_policy(pay_to: &Pubkey, asset: &Pubkey, min_amount: u64, max_age: u64, data: &[u8]) {
    let (attester, domain) = attester_and_domain(data);
    let h = policy_hash(&attester, &domain, pay_to, asset, min_amount, max_age);
    if canonical_key(&attester, &domain) {
        assert!(h.is_ok(), "policy_hash refused canonical inputs");
    }
}

/// `pub_hash` against a policy hash (a Poseidon output in the program, so canonical) accepts a
/// payment exactly when its public values are canonical.
fn check_public(payments: &[PaymentProof]) {
    // One fixed policy, hashed once: a Poseidon per fuzz input would be wasted on the hot path.
    static POLICY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    let policy = POLICY.get_or_init(|| {
        let mut attester = [0u8; 64];
        (attester[31], attester[63]) = (1, 2);
        policy_hash(
            &attester,
            &[0u8; 32],
            &Pubkey::new_from_array([3; 32]),
            &Pubkey::new_from_array([4; 32]),
            1,
            600,
        )
        .expect("a canonical policy hashes")
    });
    for p in payments {
        let canonical = is_canonical_fr(&p.nullifier) && is_canonical_fr(&p.resource_hash);
        let public = ProofPublic {
            now: p.now,
            resource_hash: &p.resource_hash,
            nullifier: &p.nullifier,
        };
        assert_eq!(
            pub_hash(policy, &public).is_ok(),
            canonical,
            "pub_hash disagrees with the canonical check"
        );
    }
}

fn check_payment(p: &PaymentProof) {
    // The encoding crate's layout reads the borsh bytes as the same payment.
    let bytes = borsh_bytes(p);
    assert_eq!(bytes.len(), PaymentProof::LEN);
    let r = PaymentRef::parse(&bytes).expect("layout refuses a PaymentProof");
    assert_eq!(
        (r.proof, r.now, r.resource_hash, r.nullifier),
        (&p.proof, p.now, &p.resource_hash, &p.nullifier)
    );
    assert_eq!(r.encode().as_slice(), bytes.as_slice());
    for v in [&p.nullifier, &p.resource_hash] {
        assert_eq!(
            require_canonical(v).is_ok(),
            is_canonical_fr(v),
            "require_canonical disagrees with the field check"
        );
    }
    let coords_ok = p
        .proof
        .chunks_exact(32)
        .all(x402_zk_encoding::is_canonical_fq);
    assert_eq!(
        x402_zk_encoding::proof_coordinates_canonical(&p.proof),
        coords_ok
    );
    // Any `now` against any clock: a typed answer, no overflow.
    for clock in [i64::MIN, -1, 0, 1_760_000_000, i64::MAX] {
        let _ = check_clock(p.now, clock, u32::MAX);
        let _ = check_clock(p.now, clock, 0);
    }
}

fn check_payments(payments: &[PaymentProof]) {
    payments.iter().for_each(check_payment);
    check_public(payments);
}

fn borsh_bytes(p: &PaymentProof) -> Vec<u8> {
    let mut out = Vec::with_capacity(PaymentProof::LEN);
    anchor_lang::AnchorSerialize::serialize(p, &mut out).unwrap();
    out
}

/// The payments stored in a proof buffer and read back through the program's reader.
fn check_buffer(payments: &[PaymentProof]) {
    let mut data = Vec::with_capacity(proof_buffer::space(payments.len()));
    data.extend_from_slice(&proof_buffer::MAGIC);
    data.extend_from_slice(&[7u8; 32]);
    data.extend_from_slice(&((payments.len() * PaymentProof::LEN) as u32).to_le_bytes());
    for p in payments {
        data.extend_from_slice(&borsh_bytes(p));
    }
    let h = ProofBufferHeader::read(&data).expect("a well-formed buffer is refused");
    let refs = proof_refs(&data, &h).expect("a well-formed buffer body is refused");
    assert_eq!(refs.len(), payments.len());
    for (r, p) in refs.iter().zip(payments) {
        assert_eq!(r.encode(), borsh_bytes(p).as_slice());
    }
}

fn check_key(key: &[u8]) {
    if x402_zk_verifier::vk::validate_key(key).is_ok() {
        assert!(key.chunks_exact(32).all(x402_zk_encoding::is_canonical_fq));
    }
}

/// Every instruction of the program, as `dispatch` names them (a seed for each is checked by
/// `tests/seeds.rs`).
pub const INSTRUCTIONS: &[&str] = &[
    "initialize_config",
    "set_paused",
    "set_attester",
    "set_max_clock_skew",
    "set_max_receipt_age",
    "set_verifying_key",
    "register_policy",
    "close_policy",
    "verify_payment",
    "verify_batch",
    "check_batch",
    "verify_batch_from_buffer",
    "close_expired_nullifiers",
    "sync_nullifier_rent",
    "init_proof_buffer",
    "write_proof_buffer",
    "close_proof_buffer",
];

fn dispatch(data: &[u8]) -> Option<&'static str> {
    let (disc, body) = data.split_first_chunk::<8>()?;
    let disc: &[u8] = disc;
    macro_rules! is {
        ($t:ty) => {
            disc == <$t as Discriminator>::DISCRIMINATOR
        };
    }
    if is!(ix::VerifyPayment) {
        let v = decode::<ix::VerifyPayment>(body)?;
        check_payments(std::slice::from_ref(&v.payment));
        Some("verify_payment")
    } else if is!(ix::VerifyBatch) {
        let v = decode::<ix::VerifyBatch>(body)?;
        check_payments(&v.payments);
        check_buffer(&v.payments);
        Some("verify_batch")
    } else if is!(ix::CheckBatch) {
        let v = decode::<ix::CheckBatch>(body)?;
        check_payments(&v.payments);
        Some("check_batch")
    } else if is!(ix::WriteProofBuffer) {
        let v = decode::<ix::WriteProofBuffer>(body)?;
        check_payments(&v.payments);
        check_buffer(&v.payments);
        Some("write_proof_buffer")
    } else if is!(ix::RegisterPolicy) {
        let v = decode::<ix::RegisterPolicy>(body)?;
        check_policy(&v.pay_to, &v.asset, v.min_amount, v.max_age, body);
        Some("register_policy")
    } else if is!(ix::SetVerifyingKey) {
        let v = decode::<ix::SetVerifyingKey>(body)?;
        check_key(&v.key);
        Some("set_verifying_key")
    } else if is!(ix::InitializeConfig) {
        let v = decode::<ix::InitializeConfig>(body)?;
        check_key(&v.args.verifying_key);
        Some("initialize_config")
    } else if is!(ix::VerifyBatchFromBuffer) {
        decode::<ix::VerifyBatchFromBuffer>(body).map(|_| "verify_batch_from_buffer")
    } else if is!(ix::ClosePolicy) {
        decode::<ix::ClosePolicy>(body).map(|_| "close_policy")
    } else if is!(ix::CloseExpiredNullifiers) {
        decode::<ix::CloseExpiredNullifiers>(body).map(|_| "close_expired_nullifiers")
    } else if is!(ix::SyncNullifierRent) {
        decode::<ix::SyncNullifierRent>(body).map(|_| "sync_nullifier_rent")
    } else if is!(ix::InitProofBuffer) {
        decode::<ix::InitProofBuffer>(body).map(|_| "init_proof_buffer")
    } else if is!(ix::CloseProofBuffer) {
        decode::<ix::CloseProofBuffer>(body).map(|_| "close_proof_buffer")
    } else if is!(ix::SetAttester) {
        decode::<ix::SetAttester>(body).map(|_| "set_attester")
    } else if is!(ix::SetPaused) {
        decode::<ix::SetPaused>(body).map(|_| "set_paused")
    } else if is!(ix::SetMaxClockSkew) {
        decode::<ix::SetMaxClockSkew>(body).map(|_| "set_max_clock_skew")
    } else if is!(ix::SetMaxReceiptAge) {
        decode::<ix::SetMaxReceiptAge>(body).map(|_| "set_max_receipt_age")
    } else {
        None
    }
}

pub fn run(data: &[u8]) -> Outcome {
    let decoded = dispatch(data);
    // The same bytes as a proof buffer account: a typed refusal or payments, never a panic.
    let buffer = ProofBufferHeader::read(data)
        .ok()
        .and_then(|h| proof_refs(data, &h).ok());
    match (decoded, buffer) {
        (Some(name), _) => Outcome::Decoded(name),
        (None, Some(_)) => Outcome::Decoded("proof_buffer"),
        (None, None) => Outcome::Refused,
    }
}
