//! The facilitator against the shared vectors (`circuits/encoding/vectors/`): the proof decoder's
//! canonical check, the reason words, the attester's signature JSON, and the bytes and accounts of
//! the `verify_payment` instruction it sends (with the policy account of the vector's terms).
use anchor_client::anchor_lang::prelude::Pubkey;
use serde_json::Value;
use x402_zk_circuits::field::fr_from_str_checked;
use x402_zk_circuits::{Point, PublicParams};
use x402_zk_encoding::layout::payment::PaymentRef;
use x402_zk_encoding::vectors;
use x402_zk_facilitator::attester::{AttestResponse, PointJson, ReceiptJson, SignatureJson};
use x402_zk_facilitator::proof_codec::{decode_solana_proof, ProofDecodeError};
use x402_zk_facilitator::verify::CheckedPayment;
use x402_zk_facilitator::x402::Reason;

fn load(name: &str) -> Value {
    serde_json::from_str(&vectors::read(name)).unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    hex::decode(&v.as_str().unwrap()[2..]).unwrap()
}

fn b32(v: &Value) -> [u8; 32] {
    bytes(v).try_into().unwrap()
}

#[test]
fn proof_decoder_refuses_every_non_canonical_coordinate() {
    let v = load("encoding.json");
    for c in v["proof"]["cases"].as_array().unwrap() {
        let r = decode_solana_proof(&bytes(&c["proof"]));
        // The vector proofs are not curve points: a canonical one fails later (NotOnCurve); a
        // non-canonical one is always refused (at the first element it reaches).
        if c["canonical"].as_bool().unwrap() {
            let not_canonical = matches!(r, Err(ProofDecodeError::NotCanonical(_)));
            assert!(!not_canonical, "{}: {r:?}", c["name"]);
        } else {
            assert!(r.is_err(), "{}", c["name"]);
        }
    }
}

#[test]
fn reason_words() {
    let v = load("encoding.json");
    let words: Vec<(String, String)> = Reason::ALL
        .iter()
        .map(|r| (format!("{r:?}"), r.as_str().to_string()))
        .collect();
    let vectors: Vec<(String, String)> = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().into(),
                r["word"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(words, vectors);
}

#[test]
fn attester_signature_json_keeps_its_wire_form() {
    let v = load("statement.json");
    let sig: SignatureJson = serde_json::from_value(v["signature"]["canonical"].clone()).unwrap();
    let resp = AttestResponse {
        receipt: ReceiptJson {
            pay_to: "p".into(),
            asset: "a".into(),
            amount: "1".into(),
            paid_at: 1,
            commitment: "0x01".into(),
        },
        signature: sig.clone(),
        attester: PointJson {
            x: "1".into(),
            y: "2".into(),
        },
    };
    let out = serde_json::to_value(&resp).unwrap();
    assert_eq!(out["signature"], v["signature"]["attesterResponse"]);
    let back: AttestResponse = serde_json::from_value(out).unwrap();
    assert_eq!(back, resp);
    for form in v["signature"]["accepted"].as_array().unwrap() {
        assert_eq!(
            serde_json::from_value::<SignatureJson>(form.clone()).unwrap(),
            sig
        );
    }
    for form in v["signature"]["rejected"].as_array().unwrap() {
        assert!(serde_json::from_value::<SignatureJson>(form.clone()).is_err());
    }
}

#[test]
fn verify_payment_instruction_matches_the_layouts() {
    let enc = load("encoding.json");
    let st = load("statement.json");
    let pda = load("pda.json");
    let c = &st["cases"][0];
    let f = |v: &Value| fr_from_str_checked(v.as_str().unwrap(), "x").unwrap();
    let u = |k: &str| c[k].as_str().unwrap().parse::<u64>().unwrap();
    let program_id: [u8; 32] = b32(&c["programIdHex"]);
    let proof: [u8; 256] = bytes(&enc["payment"]["example"]["proof"])
        .try_into()
        .unwrap();
    let p = CheckedPayment {
        public: PublicParams {
            attester: Point {
                x: f(&c["attester"]["x"]),
                y: f(&c["attester"]["y"]),
            },
            pay_to: b32(&c["payTo"]),
            asset: b32(&c["asset"]),
            min_amount: u("minAmount"),
            now: u("now"),
            max_age: u("maxAge"),
            resource_hash: f(&c["resourceHash"]),
            program_id,
        },
        nullifier: f(&c["nullifier"]),
        nullifier_be: b32(&c["nullifier"]),
        proof,
        pub_hash: f(&c["pubHash"]),
    };
    let fee_payer = Pubkey::new_from_array([3; 32]);
    let ix = x402_zk_facilitator::settle::verify_payment_ix(&program_id, &fee_payer, &p);
    // discriminator 8 ‖ payment 328 (the terms live in the policy account)
    let payment = PaymentRef {
        proof: &proof,
        now: p.public.now,
        resource_hash: &b32(&c["resourceHash"]),
        nullifier: &p.nullifier_be,
    }
    .encode();
    assert_eq!(ix.data.len(), 8 + payment.len());
    assert_eq!(ix.data[8..], payment[..]);
    let key = |v: &Value| v["address"].as_str().unwrap().parse::<Pubkey>().unwrap();
    assert_eq!(
        ix.program_id.to_string(),
        pda["programId"].as_str().unwrap()
    );
    assert_eq!(ix.accounts[1].pubkey, key(&pda["config"]));
    assert_eq!(ix.accounts[2].pubkey, key(&pda["vk"]));
    assert_eq!(
        x402_zk_facilitator::policy_account::policy_hash(&p.public),
        b32(&c["policyHash"])
    );
    assert_eq!(ix.accounts[3].pubkey, key(&pda["policies"][0]["pda"]));
    assert_eq!(ix.accounts[4].pubkey, key(&pda["nullifiers"][0]["pda"]));
}

#[test]
fn register_policy_instruction_matches_the_layouts() {
    let st = load("statement.json");
    let pda = load("pda.json");
    let c = &st["cases"][0];
    let f = |v: &Value| fr_from_str_checked(v.as_str().unwrap(), "x").unwrap();
    let u = |k: &str| c[k].as_str().unwrap().parse::<u64>().unwrap();
    let program_id: [u8; 32] = b32(&c["programIdHex"]);
    let public = PublicParams {
        attester: Point {
            x: f(&c["attester"]["x"]),
            y: f(&c["attester"]["y"]),
        },
        pay_to: b32(&c["payTo"]),
        asset: b32(&c["asset"]),
        min_amount: u("minAmount"),
        now: u("now"),
        max_age: u("maxAge"),
        resource_hash: f(&c["resourceHash"]),
        program_id,
    };
    let fee_payer = Pubkey::new_from_array([3; 32]);
    let ix =
        x402_zk_facilitator::policy_account::register_policy_ix(&program_id, &fee_payer, &public);
    // discriminator 8 ‖ pay_to 32 ‖ asset 32 ‖ min_amount u64 LE ‖ max_age u64 LE
    assert_eq!(ix.data.len(), 8 + 32 + 32 + 8 + 8);
    assert_eq!(ix.data[8..40], b32(&c["payTo"]));
    assert_eq!(ix.data[40..72], b32(&c["asset"]));
    assert_eq!(ix.data[72..80], u("minAmount").to_le_bytes());
    assert_eq!(ix.data[80..88], u("maxAge").to_le_bytes());
    let key = |v: &Value| v["address"].as_str().unwrap().parse::<Pubkey>().unwrap();
    assert_eq!(ix.accounts[0].pubkey, fee_payer);
    assert!(ix.accounts[0].is_signer && ix.accounts[0].is_writable);
    assert_eq!(ix.accounts[1].pubkey, key(&pda["config"]));
    assert_eq!(ix.accounts[2].pubkey, key(&pda["policies"][0]["pda"]));
    assert!(ix.accounts[2].is_writable);
}
