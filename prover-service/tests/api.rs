//! Request/response shapes and every bad-input class, over real HTTP.

mod common;

use common::fixtures::{self, valid_request};
use common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proof_success_shape() {
    let srv = start(config(), fixtures::backend());
    let res = post(&srv, "/v1/proofs", &valid_request(1)).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["x-cache"], "MISS");
    assert!(res.headers().get("x-request-id").is_some());
    let body: Value = res.json().await.unwrap();
    use base64::Engine as _;
    let proof = base64::engine::general_purpose::STANDARD
        .decode(body["proof"].as_str().unwrap())
        .unwrap();
    assert_eq!(proof.len(), 256);
    assert_eq!(body["proofEncoding"], "base64");
    assert_eq!(body["publicInputs"].as_array().unwrap().len(), 1);
    assert_eq!(body["publicInputs"][0].as_str().unwrap().len(), 66);
    assert_eq!(body["nullifier"].as_str().unwrap().len(), 66);
    assert_eq!(body["now"], json!(fixtures::NOW));
    assert_eq!(body["snarkjs"]["proof"]["protocol"], "groth16");
    assert_eq!(
        body["snarkjs"]["publicSignals"].as_array().unwrap().len(),
        1
    );

    // Hex encoding of the same witness: same proof (from the cache), hex-encoded.
    let mut req = valid_request(1);
    req["proofEncoding"] = json!("hex");
    let res = post(&srv, "/v1/proofs", &req).await;
    assert_eq!(res.headers()["x-cache"], "HIT");
    let hex_body: Value = res.json().await.unwrap();
    assert_eq!(
        hex::decode(hex_body["proof"].as_str().unwrap()).unwrap(),
        proof
    );
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_id_is_echoed_or_generated() {
    let srv = start(config(), fixtures::backend());
    let res = client()
        .get(format!("{}/health", srv.url()))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let res = client()
        .get(format!("{}/health", srv.url()))
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["x-request-id"], "bad id with spaces");
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_inputs_map_to_problem_types() {
    let srv = start(config(), fixtures::backend());
    let url = format!("{}/v1/proofs", srv.url());
    let c = client();

    // Malformed JSON.
    let res = c
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"receipt\": ")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "malformed-request").await;

    // Unknown field, at the top level and nested.
    let mut req = valid_request(1);
    req["extra"] = json!(1);
    let body = assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        400,
        "malformed-request",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("unknown field"),
        "{body}"
    );
    let mut req = valid_request(1);
    req["receipt"]["payer"] = json!("x");
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        400,
        "malformed-request",
    )
    .await;

    // Missing field.
    let mut req = valid_request(1);
    req.as_object_mut().unwrap().remove("secret");
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        400,
        "malformed-request",
    )
    .await;

    // Wrong type, negative amount, u64 overflow.
    for (ptr, v) in [
        ("amount", json!(-5)),
        ("amount", json!("18446744073709551616")),
        ("amount", json!(1.5)),
        ("paidAt", json!(true)),
    ] {
        let mut req = valid_request(1);
        req["receipt"][ptr] = v;
        assert_problem(
            post(&srv, "/v1/proofs", &req).await,
            400,
            "malformed-request",
        )
        .await;
    }

    // Bad key encodings.
    let mut req = valid_request(1);
    req["receipt"]["payTo"] = json!("0xabcd");
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        400,
        "malformed-request",
    )
    .await;
    let mut req = valid_request(1);
    req["public"]["programId"] = json!("not-base58-0OIl");
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        400,
        "malformed-request",
    )
    .await;

    // Field elements ≥ r: rejected, never reduced (decimal and hex, several fields).
    let r_hex = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
    let r_decimal = x402_zk_circuits::field::modulus().to_string();
    for (section, field, v) in [
        (None, "secret", r_decimal.as_str()),
        (Some("public"), "resourceHash", r_hex),
        (
            Some("public"),
            "resourceHash",
            "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        ),
    ] {
        let mut req = valid_request(1);
        match section {
            None => req[field] = json!(v),
            Some(s) => req[s][field] = json!(v),
        }
        let body = assert_problem(
            post(&srv, "/v1/proofs", &req).await,
            400,
            "value-not-in-field",
        )
        .await;
        assert!(body["detail"].as_str().unwrap().contains(field), "{body}");
    }
    let mut req = valid_request(1);
    req["receipt"]["signature"]["R8x"] = json!(x402_zk_circuits::field::modulus().to_string());
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        400,
        "value-not-in-field",
    )
    .await;

    // Invalid signature.
    let mut req = valid_request(1);
    req["receipt"]["signature"]["S"] = json!("0");
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        422,
        "invalid-signature",
    )
    .await;

    // Amount below minimum.
    let mut req = valid_request(1);
    req["public"]["minAmount"] = json!(fixtures::AMOUNT + 1);
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        422,
        "amount-below-minimum",
    )
    .await;

    // Receipt too old / from the future.
    let mut req = valid_request(1);
    req["public"]["maxAge"] = json!(10);
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        422,
        "statement-unsatisfied",
    )
    .await;
    let mut req = valid_request(1);
    req["public"]["now"] = json!(fixtures::NOW - 1000);
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        422,
        "statement-unsatisfied",
    )
    .await;

    // resourceHash must be a 31-byte value (< 2^248) even though it is < r.
    let mut req = valid_request(1);
    req["public"]["resourceHash"] = json!(format!("0x01{}", "00".repeat(31)));
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        422,
        "statement-unsatisfied",
    )
    .await;

    // Oversized body.
    let mut req = valid_request(1);
    req["secret"] = json!("1".repeat(40_000));
    assert_problem(
        post(&srv, "/v1/proofs", &req).await,
        413,
        "payload-too-large",
    )
    .await;

    // Wrong content type.
    let res = c
        .post(&url)
        .header("content-type", "text/plain")
        .body(valid_request(1).to_string())
        .send()
        .await
        .unwrap();
    assert_problem(res, 415, "unsupported-media-type").await;
    let res = c
        .post(&url)
        .body(valid_request(1).to_string())
        .send()
        .await
        .unwrap();
    assert_problem(res, 415, "unsupported-media-type").await;

    // 404 and 405 are JSON too.
    assert_problem(get(&srv, "/nope").await, 404, "not-found").await;
    assert_problem(get(&srv, "/v1/proofs").await, 405, "method-not-allowed").await;
    let res = c
        .post(format!("{}/health", srv.url()))
        .send()
        .await
        .unwrap();
    assert_problem(res, 405, "method-not-allowed").await;

    // None of that consumed prover time.
    assert_eq!(metric(&srv, "proof_generation_total").await, 0.0);
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_endpoint_maps_published_fields() {
    let srv = start(config(), fixtures::backend());
    let v1 = valid_request(7);
    let sig = &v1["receipt"]["signature"];
    assert!(sig["S"].as_str().unwrap().len() > 20);
    let legacy = json!({
        "minAmount": 1000,
        "recipientKey": fixtures::PAY_TO,
        "maxBlockAge": 3600,
        "actualAmount": fixtures::AMOUNT,
        "senderKey": "11111111111111111111111111111111",
        "signature": sig,
        "asset": fixtures::ASSET,
        "paidAt": fixtures::NOW - 100,
        "secret": fixtures::SECRET,
        "attester": v1["public"]["attester"],
        "now": fixtures::NOW,
        "resourceHash": v1["public"]["resourceHash"],
        "programId": fixtures::PROGRAM_ID,
    });
    let res = post(&srv, "/generate-proof", &legacy).await;
    assert_eq!(res.status().as_u16(), 200);
    let a: Value = res.json().await.unwrap();
    // The same statement through /v1/proofs: the cache proves it is the same witness.
    let res = post(&srv, "/v1/proofs", &v1).await;
    assert_eq!(res.headers()["x-cache"], "HIT");
    let b: Value = res.json().await.unwrap();
    assert_eq!(a, b);

    // Packed hex signature form.
    let fb = |s: &str| {
        x402_zk_prover_service::model::FieldBytes::parse(s, "t")
            .unwrap()
            .to_hex()[2..]
            .to_string()
    };
    let packed = format!(
        "0x{}{}{}",
        fb(sig["R8x"].as_str().unwrap()),
        fb(sig["R8y"].as_str().unwrap()),
        fb(sig["S"].as_str().unwrap())
    );
    let mut l2 = legacy.clone();
    l2["signature"] = json!(packed);
    let res = post(&srv, "/generate-proof", &l2).await;
    assert_eq!(res.headers()["x-cache"], "HIT");

    // Strictness holds here too.
    let mut bad = legacy.clone();
    bad["blockHeight"] = json!(5);
    assert_problem(
        post(&srv, "/generate-proof", &bad).await,
        400,
        "malformed-request",
    )
    .await;
    let mut bad = legacy.clone();
    bad["actualAmount"] = json!(999);
    assert_problem(
        post(&srv, "/generate-proof", &bad).await,
        422,
        "amount-below-minimum",
    )
    .await;
    srv.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_ready_openapi() {
    let srv = start(config(), fixtures::backend());
    let res = get(&srv, "/health").await;
    assert_eq!(res.status().as_u16(), 200);
    let res = get(&srv, "/ready").await;
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    let doc: Value = get(&srv, "/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/v1/proofs",
        "/generate-proof",
        "/health",
        "/ready",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} documented");
    }
    srv.shutdown().await.unwrap();
}
