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
//!   `< r`; a proof's coordinates are canonical exactly when `< q`; `pub_hash` never panics and
//!   refuses nothing canonical; `check_clock` never overflows;
//! - a proof buffer whose body is the decoded payments reads back (`ProofBufferHeader::read`,
//!   `proof_refs`) as the same payments, and the raw input read as a buffer never panics;
//! - `set_verifying_key`: `validate_key` never panics and accepts only canonical coordinates.
#![no_main]

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator, InstructionData};
use libfuzzer_sys::fuzz_target;
use x402_zk_encoding::layout::payment::PaymentRef;
use x402_zk_encoding::layout::proof_buffer;
use x402_zk_verifier::instruction as ix;
use x402_zk_verifier::instructions::proof_buffer::{proof_refs, ProofBufferHeader};
use x402_zk_verifier::instructions::verify_payment::{PaymentProof, PaymentTerms};
use x402_zk_verifier::public_input::{pub_hash, require_canonical, Policy, ProofPublic};
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

fn check_terms(t: &PaymentTerms, payments: &[PaymentProof], data: &[u8]) {
    // A policy from fuzzed keys (attester and domain from the input, canonical or not: the
    // program checks those when they are set) hashes every canonical payment without panicking.
    let mut attester = [0u8; 64];
    let mut domain = [0u8; 32];
    for (i, b) in data.iter().take(96).enumerate() {
        if i < 64 {
            attester[i] = *b;
        } else {
            domain[i - 64] = *b;
        }
    }
    let pay_to = Pubkey::new_from_array(domain);
    let policy = Policy::new(
        &attester,
        &domain,
        &pay_to,
        &t.asset,
        t.min_amount,
        t.max_age,
    );
    for p in payments {
        let canonical = x402_zk_encoding::is_canonical_fr(&p.nullifier)
            && x402_zk_encoding::is_canonical_fr(&p.resource_hash);
        let public = ProofPublic {
            now: p.now,
            resource_hash: &p.resource_hash,
            nullifier: &p.nullifier,
        };
        let h = pub_hash(&policy, &public);
        if canonical && x402_zk_encoding::is_canonical_fr(&domain) {
            let attester_ok = attester
                .chunks_exact(32)
                .all(|c| x402_zk_encoding::is_canonical_fr(c.try_into().unwrap()));
            if attester_ok {
                assert!(h.is_ok(), "pub_hash refused canonical inputs");
            }
        }
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
            x402_zk_encoding::is_canonical_fr(v),
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

fn dispatch(data: &[u8]) {
    let Some((disc, body)) = data.split_first_chunk::<8>() else {
        return;
    };
    let disc: &[u8] = disc;
    macro_rules! is {
        ($t:ty) => {
            disc == <$t as Discriminator>::DISCRIMINATOR
        };
    }
    if is!(ix::VerifyPayment) {
        if let Some(v) = decode::<ix::VerifyPayment>(body) {
            check_payment(&v.payment);
            check_terms(&v.terms, std::slice::from_ref(&v.payment), body);
        }
    } else if is!(ix::VerifyBatch) {
        if let Some(v) = decode::<ix::VerifyBatch>(body) {
            v.payments.iter().for_each(check_payment);
            check_terms(&v.terms, &v.payments, body);
            check_buffer(&v.payments);
        }
    } else if is!(ix::CheckBatch) {
        if let Some(v) = decode::<ix::CheckBatch>(body) {
            v.payments.iter().for_each(check_payment);
            check_terms(&v.terms, &v.payments, body);
        }
    } else if is!(ix::WriteProofBuffer) {
        if let Some(v) = decode::<ix::WriteProofBuffer>(body) {
            v.payments.iter().for_each(check_payment);
            check_buffer(&v.payments);
        }
    } else if is!(ix::VerifyBatchFromBuffer) {
        if let Some(v) = decode::<ix::VerifyBatchFromBuffer>(body) {
            check_terms(&v.terms, &[], body);
        }
    } else if is!(ix::SetVerifyingKey) {
        if let Some(v) = decode::<ix::SetVerifyingKey>(body) {
            if x402_zk_verifier::vk::validate_key(&v.key).is_ok() {
                assert!(v
                    .key
                    .chunks_exact(32)
                    .all(x402_zk_encoding::is_canonical_fq));
            }
        }
    } else if is!(ix::SetAttester) {
        let _ = decode::<ix::SetAttester>(body);
    } else if is!(ix::SetPaused) {
        let _ = decode::<ix::SetPaused>(body);
    } else if is!(ix::SetMaxClockSkew) {
        let _ = decode::<ix::SetMaxClockSkew>(body);
    } else if is!(ix::SetMaxReceiptAge) {
        let _ = decode::<ix::SetMaxReceiptAge>(body);
    } else if is!(ix::InitializeConfig) {
        let _ = decode::<ix::InitializeConfig>(body);
    }
}

fuzz_target!(|data: &[u8]| {
    dispatch(data);
    // The same bytes as a proof buffer account: a typed refusal or payments, never a panic.
    if let Ok(h) = ProofBufferHeader::read(data) {
        let _ = proof_refs(data, &h);
    }
});
