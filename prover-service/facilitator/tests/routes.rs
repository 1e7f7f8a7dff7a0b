//! The facilitator's HTTP surface in-process (actix test service, real State from a real Config and
//! key files): every bad input gets a typed JSON answer, never a 5xx or HTML, and is counted in
//! /metrics; an unreachable RPC endpoint shows in /health and fails closed with a JSON 503.
use std::path::PathBuf;
use std::sync::Arc;

use actix_web::{http::StatusCode, test, App};
use clap::Parser;
use serde_json::{json, Value};
use x402_zk_circuits::field::modulus;
use x402_zk_circuits::ProvingKeys;
use x402_zk_facilitator::app::{configure, State, MAX_BODY_BYTES};
use x402_zk_facilitator::config::Config;

const PROGRAM_ID: &str = "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne";
const PAY_TO: &str = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";

/// Key files in a fresh temp dir; the RPC URL points at a closed loopback port.
fn state(name: &str) -> Arc<State> {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "x402-zk-facilitator-routes-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let keys = ProvingKeys::dev_setup_deterministic().unwrap();
    keys.verifier.save(&dir.join("receipt.vk")).unwrap();
    std::fs::write(
        dir.join("attester.json"),
        json!({ "secretKey": hex::encode([7u8; 32]) }).to_string(),
    )
    .unwrap();
    let fee_payer = solana_keypair::Keypair::new_from_array([9u8; 32])
        .to_bytes()
        .to_vec();
    std::fs::write(
        dir.join("fee-payer.json"),
        serde_json::to_string(&fee_payer).unwrap(),
    )
    .unwrap();
    let d = |f: &str| dir.join(f).display().to_string();
    let config = Config::parse_from([
        "x402-zk-facilitator",
        "--rpc-urls",
        "http://127.0.0.1:9",
        "--program-id",
        PROGRAM_ID,
        "--attester-key",
        &d("attester.json"),
        "--fee-payer",
        &d("fee-payer.json"),
        "--verifying-key",
        &d("receipt.vk"),
        "--allow-dev-keys",
    ]);
    let state = State::from_config(&config).unwrap();
    // Everything is read at start-up (no receipt ledger configured).
    std::fs::remove_dir_all(&dir).unwrap();
    state
}

fn requirements() -> Value {
    json!({
        "scheme": "zk-receipt", "network": "solana:localnet", "asset": "11111111111111111111111111111111", "amount": "1000",
        "payTo": PAY_TO, "maxTimeoutSeconds": 60,
        "extra": { "programId": PROGRAM_ID, "maxAge": 600, "resourceHash": "0x01" },
    })
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn request(payload: Value) -> Value {
    json!({
        "x402Version": 2,
        "paymentPayload": { "x402Version": 2, "accepted": requirements(), "payload": payload },
        "paymentRequirements": requirements(),
    })
}

fn payload(proof_bytes: usize, nullifier: &str) -> Value {
    use base64::Engine;
    json!({
        "proof": base64::engine::general_purpose::STANDARD.encode(vec![1u8; proof_bytes]),
        "nullifier": nullifier, "now": now(), "resourceHash": "0x01",
    })
}

#[actix_web::test]
async fn bad_inputs_get_typed_json_answers_and_are_counted() {
    let app = test::init_service(App::new().configure(configure(state("bad")))).await;
    let post = |path: &str| test::TestRequest::post().uri(path);

    // Not JSON, on the x402 routes: the x402 shape with invalid_payload, 400.
    let resp = test::call_service(
        &app,
        post("/verify")
            .insert_header(("content-type", "application/json"))
            .set_payload("{not json")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["isValid"], false);
    assert_eq!(body["invalidReason"], "invalid_payload");

    let resp = test::call_service(
        &app,
        post("/settle")
            .insert_header(("content-type", "application/json"))
            .set_payload("[]")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["success"], false);
    assert_eq!(body["errorReason"], "invalid_payload");

    // Oversized body: 413 JSON, not a dropped connection.
    let big = json!({ "pad": "x".repeat(MAX_BODY_BYTES + 1) }).to_string();
    let resp = test::call_service(
        &app,
        post("/v1/attest")
            .insert_header(("content-type", "application/json"))
            .set_payload(big)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = test::read_body_json(resp).await;
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .ends_with("payload-too-large"),
        "{body}"
    );

    // Unknown route: 404 problem JSON.
    let resp = test::call_service(&app, test::TestRequest::get().uri("/nope").to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let body: Value = test::read_body_json(resp).await;
    assert!(
        body["type"].as_str().unwrap().ends_with("not-found"),
        "{body}"
    );

    // A nullifier equal to the field modulus is rejected, never reduced.
    let r = format!("0x{}", modulus().to_str_radix(16));
    let resp = test::call_service(
        &app,
        post("/verify")
            .set_json(request(payload(256, &r)))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["isValid"], false);
    assert_eq!(body["invalidReason"], "invalid_payload", "{body}");

    // A proof of the wrong length, and 256 bytes that are not curve points.
    for bytes in [255, 256] {
        let resp = test::call_service(
            &app,
            post("/verify")
                .set_json(request(payload(bytes, "0x05")))
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK, "{bytes} bytes");
        let body: Value = test::read_body_json(resp).await;
        assert_eq!(body["isValid"], false);
        let reason = body["invalidReason"].as_str().unwrap();
        assert!(
            reason == "invalid_payload" || reason == "invalid_zk_proof",
            "{bytes} bytes: {body}"
        );
    }

    // Wrong merchant in the payload's copy of the requirements.
    let mut req = request(payload(256, "0x05"));
    req["paymentPayload"]["accepted"]["payTo"] = json!(PROGRAM_ID);
    let resp = test::call_service(&app, post("/verify").set_json(req).to_request()).await;
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(
        body["invalidReason"], "invalid_payment_requirements",
        "{body}"
    );

    // Every verify outcome above is counted by reason.
    let resp =
        test::call_service(&app, test::TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let text = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    let count = |reason: &str| -> u64 {
        text.lines()
            .find(|l| {
                l.starts_with("facilitator_verify_total{") && l.contains(&format!("\"{reason}\""))
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    assert_eq!(count("invalid_payment_requirements"), 1, "{text}");
    assert!(
        count("invalid_payload") + count("invalid_zk_proof") >= 3,
        "{text}"
    );
    assert_eq!(count("valid"), 0, "{text}");
}

#[actix_web::test]
async fn supported_and_health_describe_this_facilitator() {
    let app = test::init_service(App::new().configure(configure(state("info")))).await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/supported").to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = test::read_body_json(resp).await;
    let kind = &body["kinds"][0];
    assert_eq!(kind["x402Version"], 2);
    assert_eq!(kind["scheme"], "zk-receipt");
    assert_eq!(kind["network"], "solana:localnet");
    assert_eq!(kind["extra"]["programId"], PROGRAM_ID);
    let x = kind["extra"]["attester"]["x"].as_str().unwrap();
    assert!(
        !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()),
        "{kind}"
    );

    let resp = test::call_service(&app, test::TestRequest::get().uri("/health").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["status"], "ok");
    let endpoints = body["rpc"]["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), 1);
    // Only host:port is ever shown (a URL path or query may carry an API key).
    assert!(body.to_string().contains("127.0.0.1:9"), "{body}");
}

#[actix_web::test]
async fn batch_flags_out_of_range_are_refused_at_start_up() {
    let base = [
        "x402-zk-facilitator",
        "--program-id",
        PROGRAM_ID,
        "--attester-key",
        "a",
        "--fee-payer",
        "f",
        "--verifying-key",
        "v",
    ];
    let parse = |extra: &[&str]| Config::try_parse_from(base.iter().chain(extra).copied());
    for bad in [
        "--batch-max=0",
        "--batch-max=65",
        "--batch-max=-1",
        "--batch-window-ms=0",
        "--batch-window-ms=10001",
    ] {
        let err = parse(&[bad]).expect_err(&format!("{bad} accepted"));
        let flag = bad.split('=').next().unwrap();
        assert!(err.to_string().contains(flag), "{bad}: {err}");
    }
    let ok = parse(&["--batch-max", "64", "--batch-window-ms", "10000"]).unwrap();
    assert_eq!((ok.batch_max, ok.batch_window_ms), (64, 10_000));
}
