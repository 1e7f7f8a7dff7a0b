//! The program against the shared vectors (`circuits/encoding/vectors/`), on the host: `policyHash`, `pubHash`
//! and `domain` through the program's own Poseidon path, the borsh bytes of `PaymentProof`, the
//! proof canonical check, and the PDA addresses. Generates `pda.json` (addresses for the committed
//! program id; `UPDATE_VECTORS=1` rewrites it), which `app/test/vectors.test.ts` asserts.
use anchor_lang::prelude::Pubkey;
use anchor_lang::AnchorSerialize;
use serde_json::{json, Value};
use x402_zk_encoding::vectors;
use x402_zk_verifier::instructions::PaymentProof;
use x402_zk_verifier::public_input::{domain, policy_hash, pub_hash, ProofPublic};
use x402_zk_verifier::state::{CONFIG_SEED, NULLIFIER_SEED, POLICY_SEED, VK_SEED};

fn load(name: &str) -> Value {
    serde_json::from_str(&vectors::read(name)).unwrap()
}

fn b32(v: &Value) -> [u8; 32] {
    hex::decode(&v.as_str().unwrap()[2..])
        .unwrap()
        .try_into()
        .unwrap()
}

fn fr_dec(s: &Value) -> [u8; 32] {
    x402_zk_encoding::parse_fr_str(s.as_str().unwrap()).unwrap()
}

#[test]
fn pub_hash_and_domain_match_the_circuit() {
    let v = load("statement.json");
    for c in v["cases"].as_array().unwrap() {
        let program: Pubkey = c["programId"].as_str().unwrap().parse().unwrap();
        assert_eq!(program, x402_zk_verifier::ID);
        let d = domain(&program).unwrap();
        assert_eq!(d, b32(&c["domain"]));
        let mut attester = [0u8; 64];
        attester[..32].copy_from_slice(&fr_dec(&c["attester"]["x"]));
        attester[32..].copy_from_slice(&fr_dec(&c["attester"]["y"]));
        let u = |k: &str| c[k].as_str().unwrap().parse::<u64>().unwrap();
        let policy = policy_hash(
            &attester,
            &d,
            &Pubkey::new_from_array(b32(&c["payTo"])),
            &Pubkey::new_from_array(b32(&c["asset"])),
            u("minAmount"),
            u("maxAge"),
        )
        .unwrap();
        assert_eq!(policy, b32(&c["policyHash"]));
        let resource_hash = b32(&c["resourceHash"]);
        let nullifier = b32(&c["nullifier"]);
        let proof = ProofPublic {
            now: u("now"),
            resource_hash: &resource_hash,
            nullifier: &nullifier,
        };
        assert_eq!(pub_hash(&policy, &proof).unwrap(), b32(&c["pubHash"]));
        // A non-canonical nullifier is refused, never reduced.
        let big = x402_zk_encoding::FR_MODULUS_BE;
        let bad = ProofPublic {
            nullifier: &big,
            ..proof
        };
        assert!(pub_hash(&policy, &bad).is_err());
    }
}

#[test]
fn payment_borsh_and_proof_check_match_the_vectors() {
    let v = load("encoding.json");
    let ex = &v["payment"]["example"];
    let p = PaymentProof {
        proof: hex::decode(&ex["proof"].as_str().unwrap()[2..])
            .unwrap()
            .try_into()
            .unwrap(),
        now: ex["now"].as_str().unwrap().parse().unwrap(),
        resource_hash: b32(&ex["resourceHash"]),
        nullifier: b32(&ex["nullifier"]),
    };
    let mut bytes = Vec::new();
    p.serialize(&mut bytes).unwrap();
    assert_eq!(hex::encode(&bytes), ex["bytes"].as_str().unwrap()[2..]);
    assert_eq!(bytes.len(), PaymentProof::LEN);
    for c in v["proof"]["cases"].as_array().unwrap() {
        let proof: [u8; 256] = hex::decode(&c["proof"].as_str().unwrap()[2..])
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(
            x402_zk_verifier::batch::proof_coordinates_canonical(&proof),
            c["canonical"].as_bool().unwrap(),
            "{}",
            c["name"]
        );
    }
    assert_eq!(
        x402_zk_verifier::instructions::proof_buffer::ProofBufferHeader::LEN,
        v["proofBuffer"]["headerLen"].as_u64().unwrap() as usize
    );
}

#[test]
fn pda_vectors() {
    let statement = load("statement.json");
    let id = x402_zk_verifier::ID;
    let pda = |seeds: &[&[u8]]| {
        let (a, bump) = Pubkey::find_program_address(seeds, &id);
        json!({"address": a.to_string(), "bump": bump})
    };
    let nullifiers: Vec<Value> = statement["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let n = b32(&c["nullifier"]);
            json!({"nullifier": c["nullifier"], "pda": pda(&[NULLIFIER_SEED, &n])})
        })
        .collect();
    let policies: Vec<Value> = statement["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let h = b32(&c["policyHash"]);
            json!({"policyHash": c["policyHash"], "pda": pda(&[POLICY_SEED, &h])})
        })
        .collect();
    let v = json!({
        "programId": id.to_string(),
        "config": pda(&[CONFIG_SEED]),
        "vk": pda(&[VK_SEED]),
        "nullifiers": nullifiers,
        "policies": policies,
    });
    vectors::check_or_update(
        "pda.json",
        &(serde_json::to_string_pretty(&v).unwrap() + "\n"),
    );
}
