//! Generates `circuits/encoding/vectors/statement.json`: the statement's hash inputs in order
//! (bytes), `policyHash`, `pubHash`, the receipt message, `domain`, the nullifier (Poseidon lives here), and the
//! signature JSON forms; fails when the committed file differs (`UPDATE_VECTORS=1` rewrites it).
//! The program's host tests, the facilitator and `app/test/vectors.test.ts` assert the same file.
use serde_json::{json, Value};
use x402_zk_circuits::field::{fr_to_be_bytes, fr_to_decimal};
use x402_zk_circuits::receipt::{commitment, example_witness};
use x402_zk_circuits::wire::SignatureJson;
use x402_zk_encoding::{PolicyHashInputs, PubHashInputs};

/// The committed program id (`declare_id!` of programs/x402-zk-verifier, `Anchor.toml`).
const PROGRAM_ID: &str = "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne";

fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn case(seed: u64, tweak: impl Fn(&mut x402_zk_circuits::Witness)) -> Value {
    let (_, mut w) = example_witness(seed);
    w.public.program_id = bs58::decode(PROGRAM_ID)
        .into_vec()
        .unwrap()
        .try_into()
        .unwrap();
    tweak(&mut w);
    let p = &w.public;
    let nullifier = w.nullifier();
    let policy_ordered: Vec<String> = p
        .policy_hash_inputs()
        .iter()
        .map(|f| hex0x(&fr_to_be_bytes(f)))
        .collect();
    let ordered: Vec<String> = p
        .pub_hash_inputs(&nullifier)
        .iter()
        .map(|f| hex0x(&fr_to_be_bytes(f)))
        .collect();
    let receipt = w.receipt();
    json!({
        "attester": {"x": fr_to_decimal(&p.attester.x), "y": fr_to_decimal(&p.attester.y)},
        "payTo": hex0x(&p.pay_to),
        "asset": hex0x(&p.asset),
        "minAmount": p.min_amount.to_string(),
        "now": p.now.to_string(),
        "maxAge": p.max_age.to_string(),
        "resourceHash": hex0x(&fr_to_be_bytes(&p.resource_hash)),
        "programId": PROGRAM_ID,
        "programIdHex": hex0x(&p.program_id),
        "secret": hex0x(&fr_to_be_bytes(&w.secret)),
        "commitment": hex0x(&fr_to_be_bytes(&commitment(&w.secret))),
        "domain": hex0x(&fr_to_be_bytes(&p.domain())),
        "nullifier": hex0x(&fr_to_be_bytes(&nullifier)),
        "policyHashInputs": PolicyHashInputs::<()>::NAMES.iter().zip(&policy_ordered).map(|(n, v)| json!({"name": n, "be": v})).collect::<Vec<_>>(),
        "policyHash": hex0x(&fr_to_be_bytes(&p.policy_hash())),
        "pubHashInputs": PubHashInputs::<()>::NAMES.iter().zip(&ordered).map(|(n, v)| json!({"name": n, "be": v})).collect::<Vec<_>>(),
        "pubHash": hex0x(&fr_to_be_bytes(&w.pub_hash())),
        "receipt": {
            "amount": w.amount.to_string(),
            "paidAt": w.paid_at.to_string(),
            "message": hex0x(&fr_to_be_bytes(&receipt.message())),
        },
    })
}

#[test]
fn statement_vectors() {
    let cases = vec![
        case(1, |_| {}),
        case(2, |w| {
            w.public.asset = [0xff; 32];
            w.public.pay_to = std::array::from_fn(|i| 0x80 ^ i as u8);
            w.public.min_amount = u64::MAX;
            w.public.now = u64::MAX - 1;
            w.public.max_age = 1;
        }),
    ];

    let (_, w) = example_witness(1);
    let sig = SignatureJson::from_signature(&w.signature);
    let canonical = serde_json::to_value(&sig).unwrap();
    let mut lower = serde_json::Serializer::new(Vec::new());
    SignatureJson::serialize_lower_case(&sig, &mut lower).unwrap();
    let lower: Value = serde_json::from_slice(&lower.into_inner()).unwrap();
    let accepted = vec![canonical.clone(), lower.clone()];
    let mut unknown = canonical.clone();
    unknown["extra"] = json!("1");
    let mut missing = canonical.clone();
    missing.as_object_mut().unwrap().remove("S");
    let rejected = vec![unknown, missing];
    for a in &accepted {
        let parsed: SignatureJson = serde_json::from_value(a.clone()).unwrap();
        assert_eq!(parsed, sig);
        assert_eq!(parsed.parse().unwrap(), w.signature);
    }
    for r in &rejected {
        assert!(
            serde_json::from_value::<SignatureJson>(r.clone()).is_err(),
            "{r}"
        );
    }

    let v = json!({
        "cases": cases,
        "signature": {
            "canonical": canonical,
            "attesterResponse": lower,
            "accepted": accepted,
            "rejected": rejected,
        },
    });
    x402_zk_encoding::vectors::check_or_update(
        "statement.json",
        &(serde_json::to_string_pretty(&v).unwrap() + "\n"),
    );
}
