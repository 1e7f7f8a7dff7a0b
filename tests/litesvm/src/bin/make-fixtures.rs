//! Writes payment proofs for the mocha suite (`tests/verify.test.ts`) as JSON:
//! `make-fixtures <program_id base58> <pay_to base58> <now unix> <count> <seed> <out.json>`.
//! Proofs use the dev setup (the key the mocha suite writes with initialize_config) and the dev attester.
use x402_zk_litesvm_tests::proofs::{attester_bytes, dev_attester};
use x402_zk_litesvm_tests::{fixture_for, Address};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 7 {
        eprintln!("usage: make-fixtures <program_id> <pay_to> <now> <count> <seed> <out.json>");
        std::process::exit(2);
    }
    let program_id: Address = a[1].parse().expect("program id");
    let pay_to: Address = a[2].parse().expect("pay_to");
    let now: u64 = a[3].parse().expect("now");
    let count: u64 = a[4].parse().expect("count");
    let seed: u64 = a[5].parse().expect("seed");
    let payments: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            let f = fixture_for(
                seed + i,
                program_id.to_bytes(),
                pay_to.to_bytes(),
                now,
                b"GET https://example.com/weather",
            );
            serde_json::json!({
                "proof": hex(&f.proof),
                "now": f.now,
                "resourceHash": hex(&f.resource_hash),
                "nullifier": hex(&f.nullifier),
                "asset": hex(&f.asset),
                "minAmount": f.min_amount,
                "maxAge": f.max_age,
                "pubHash": hex(&f.pub_hash),
                "policyHash": hex(&f.policy_hash),
            })
        })
        .collect();
    let out = serde_json::json!({
        "attester": hex(&attester_bytes(&dev_attester())),
        "payTo": a[2],
        "payments": payments,
    });
    std::fs::write(&a[6], serde_json::to_vec_pretty(&out).expect("json")).expect("write");
}
