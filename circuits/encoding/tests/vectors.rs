//! Generates `vectors/encoding.json` (byte encodings that need no hash) and fails when the committed
//! file differs. Regenerate with `UPDATE_VECTORS=1 cargo test --workspace --test vectors`.
//! The circuits (`circuits/tests/vectors.rs`, Poseidon: `statement.json`) and the program
//! (`pda.json`) add the vectors that need their hashes; the facilitator, the program's host tests
//! and `app/test/vectors.test.ts` assert all of them.
use serde_json::{json, Value};
use x402_zk_encoding::layout::{self, payment::PaymentRef, proof_buffer};
use x402_zk_encoding::proof::{COORDINATE_NAMES, PROOF_LEN};
use x402_zk_encoding::*;

fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn check_or_update(name: &str, v: &Value) {
    x402_zk_encoding::vectors::check_or_update(
        name,
        &(serde_json::to_string_pretty(v).unwrap() + "\n"),
    );
}

/// A fixed, valid-looking proof: every coordinate a small canonical value.
fn sample_proof() -> [u8; PROOF_LEN] {
    let mut p = [0u8; PROOF_LEN];
    for (i, c) in p.chunks_exact_mut(32).enumerate() {
        c[31] = i as u8 + 1;
        c[0] = 0x10 + i as u8;
    }
    p
}

fn field_cases() -> Value {
    let r_dec = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    let r_minus_1 = "21888242871839275222246405745257275088548364400416034343698204186575808495616";
    let inputs = [
        "0",
        "1",
        "258",
        "0x102",
        "0X0102",
        "0x00",
        r_minus_1,
        r_dec,
        "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000",
        "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001",
        "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "115792089237316195423570985008687907853269984665640564039457584007913129639936",
        "0x",
        "0xg",
        "0x00000000000000000000000000000000000000000000000000000000000000001",
        "",
        "-1",
        "12a",
        " 1",
        "1.0",
    ];
    Value::Array(
        inputs
            .iter()
            .map(|s| match parse_fr_str(s) {
                Ok(b) => json!({"input": s, "ok": true, "be": hex0x(&b)}),
                Err(e) => json!({"input": s, "ok": false, "error": format!("{e:?}")}),
            })
            .collect(),
    )
}

#[test]
fn encoding_vectors() {
    let u64s: Vec<Value> = [0u64, 1, 258, 1_760_000_600, u64::MAX]
        .iter()
        .map(|v| json!({"value": v.to_string(), "be32": hex0x(&u64_be32(*v))}))
        .collect();
    let keys: Vec<Value> = [[0u8; 32], [7u8; 32], {
        let mut k = [0u8; 32];
        for (i, b) in k.iter_mut().enumerate() {
            *b = 0xa0 ^ i as u8;
        }
        k
    }]
    .iter()
    .map(|k| {
        let (hi, lo) = split_key(k);
        json!({"key": hex0x(k), "hi": hex0x(&hi), "lo": hex0x(&lo)})
    })
    .collect();

    let good = sample_proof();
    let mut proof_cases =
        vec![json!({"name": "canonical", "proof": hex0x(&good), "canonical": true})];
    for (i, name) in COORDINATE_NAMES.iter().enumerate() {
        let mut at_p = good;
        at_p[i * 32..i * 32 + 32].copy_from_slice(&FQ_MODULUS_BE);
        assert!(!proof_coordinates_canonical(&at_p));
        proof_cases.push(
            json!({"name": format!("{name} = p"), "proof": hex0x(&at_p), "canonical": false}),
        );
    }
    let mut flag = good;
    flag[64] |= 0x80; // B.x.c1 + 2^255: the syscalls would read it as a flag
    proof_cases
        .push(json!({"name": "proof_b.x.c1 + 2^255", "proof": hex0x(&flag), "canonical": false}));
    let mut below = good;
    let mut p_minus_1 = FQ_MODULUS_BE;
    p_minus_1[31] -= 1;
    below[224..].copy_from_slice(&p_minus_1);
    proof_cases
        .push(json!({"name": "proof_c.y = p - 1", "proof": hex0x(&below), "canonical": true}));
    for c in &proof_cases {
        let bytes: [u8; PROOF_LEN] = hex::decode(&c["proof"].as_str().unwrap()[2..])
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(
            proof_coordinates_canonical(&bytes),
            c["canonical"].as_bool().unwrap()
        );
    }

    let resource_hash = {
        let mut r = [0u8; 32];
        r[1..].copy_from_slice(&[0x42; 31]);
        r
    };
    let nullifier = {
        let mut n = [0u8; 32];
        n[0] = 0x12;
        n[31] = 0x34;
        n
    };
    let entry = PaymentRef {
        proof: &good,
        now: 1_760_000_600,
        resource_hash: &resource_hash,
        nullifier: &nullifier,
    };
    let bytes = entry.encode();
    assert_eq!(PaymentRef::parse(&bytes), Some(entry));
    assert_eq!(bytes.len(), 328);

    let verify_payment_limits: Vec<Value> = [(255u8, false), (252, false), (250, true), (0, true)]
        .iter()
        .map(|&(bump, reg)| {
            let units = x402_zk_encoding::compute::verify_payment(bump, reg);
            json!({"bump": bump, "registersPolicy": reg, "units": units})
        })
        .collect();
    let v = json!({
        "frModulus": hex0x(&FR_MODULUS_BE),
        "fqModulus": hex0x(&FQ_MODULUS_BE),
        "field": field_cases(),
        "u64": u64s,
        "keyHalves": keys,
        "proof": {
            "len": PROOF_LEN,
            "a": [proof::PROOF_A.start, proof::PROOF_A.end],
            "b": [proof::PROOF_B.start, proof::PROOF_B.end],
            "c": [proof::PROOF_C.start, proof::PROOF_C.end],
            "cases": proof_cases,
        },
        "seeds": {
            "config": String::from_utf8(layout::CONFIG_SEED.to_vec()).unwrap(),
            "vk": String::from_utf8(layout::VK_SEED.to_vec()).unwrap(),
            "nullifier": String::from_utf8(layout::NULLIFIER_SEED.to_vec()).unwrap(),
            "policy": String::from_utf8(layout::POLICY_SEED.to_vec()).unwrap(),
        },
        "payment": {
            "len": layout::payment::LEN,
            "nowOffset": layout::payment::NOW_OFFSET,
            "resourceHashOffset": layout::payment::RESOURCE_HASH_OFFSET,
            "nullifierOffset": layout::payment::NULLIFIER_OFFSET,
            "example": {
                "proof": hex0x(&good),
                "now": entry.now.to_string(),
                "resourceHash": hex0x(&resource_hash),
                "nullifier": hex0x(&nullifier),
                "bytes": hex0x(&bytes),
            },
        },
        "proofBuffer": {
            "magic": String::from_utf8(proof_buffer::MAGIC.to_vec()).unwrap(),
            "authorityOffset": proof_buffer::AUTHORITY_OFFSET,
            "lenOffset": proof_buffer::LEN_OFFSET,
            "headerLen": proof_buffer::HEADER_LEN,
            "space16": proof_buffer::space(16),
        },
        "accounts": {
            "vkLen": layout::VK_LEN,
            "vkAccount": {"bumpOffset": layout::vk_account::BUMP_OFFSET, "hashOffset": layout::vk_account::HASH_OFFSET, "keyOffset": layout::vk_account::KEY_OFFSET, "space": layout::vk_account::SPACE},
            "config": {"attesterOffset": layout::config_account::ATTESTER_OFFSET, "skewOffset": layout::config_account::SKEW_OFFSET, "pausedOffset": layout::config_account::PAUSED_OFFSET, "domainOffset": layout::config_account::DOMAIN_OFFSET, "vkHashOffset": layout::config_account::VK_HASH_OFFSET, "maxReceiptAgeOffset": layout::config_account::MAX_RECEIPT_AGE_OFFSET, "nullifierRentOffset": layout::config_account::NULLIFIER_RENT_OFFSET, "space": layout::config_account::SPACE},
            "nullifier": {"expiresAtOffset": layout::nullifier_account::EXPIRES_AT_OFFSET, "rentPayerOffset": layout::nullifier_account::RENT_PAYER_OFFSET, "space": layout::nullifier_account::SPACE},
            "policy": {"policyHashOffset": layout::policy_account::POLICY_HASH_OFFSET, "payToOffset": layout::policy_account::PAY_TO_OFFSET, "assetOffset": layout::policy_account::ASSET_OFFSET, "minAmountOffset": layout::policy_account::MIN_AMOUNT_OFFSET, "maxAgeOffset": layout::policy_account::MAX_AGE_OFFSET, "attesterOffset": layout::policy_account::ATTESTER_OFFSET, "rentPayerOffset": layout::policy_account::RENT_PAYER_OFFSET, "bumpOffset": layout::policy_account::BUMP_OFFSET, "space": layout::policy_account::SPACE},
        },
        "compute": {
            "verifyPaymentFirstTry": x402_zk_encoding::compute::VERIFY_PAYMENT_FIRST_TRY,
            "perBumpTry": x402_zk_encoding::compute::PER_BUMP_TRY,
            "registerPolicy": x402_zk_encoding::compute::REGISTER_POLICY,
            "marginPercent": x402_zk_encoding::compute::MARGIN_PERCENT,
            "max": x402_zk_encoding::compute::MAX,
            "bufferBatchBase": x402_zk_encoding::compute::BUFFER_BATCH_BASE,
            "bufferBatchPerProof": x402_zk_encoding::compute::BUFFER_BATCH_PER_PROOF,
            "inlineBatchBase": x402_zk_encoding::compute::INLINE_BATCH_BASE,
            "inlineBatchPerProof": x402_zk_encoding::compute::INLINE_BATCH_PER_PROOF,
            "verifyPayment": verify_payment_limits,
        },
        "policyHashOrder": PolicyHashInputs::<()>::NAMES,
        "pubHashOrder": PubHashInputs::<()>::NAMES,
        "reasons": Reason::ALL.iter().map(|r| json!({"name": format!("{r:?}"), "word": r.as_str()})).collect::<Vec<_>>(),
        "proverReasons": reason::prover::ALL,
        "memoPrefix": MEMO_PREFIX,
        "clientWords": {"facilitatorUnavailable": reason::client::FACILITATOR_UNAVAILABLE},
    });
    for r in Reason::ALL {
        assert_eq!(Reason::from_word(r.as_str()), Some(r));
    }
    check_or_update("encoding.json", &v);
}
