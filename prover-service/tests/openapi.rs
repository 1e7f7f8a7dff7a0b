//! The served OpenAPI document against the handlers, so the two cannot drift: the document is
//! OpenAPI 3.1 whose every `$ref` resolves; every route served is described; every body its schema
//! refuses (a deterministic set of mutations of a valid request) is refused by the handler with a
//! typed problem JSON whose reason is in the documented vocabulary; and every 405 names in `Allow`
//! exactly the methods the document lists for that path.

mod common;
#[path = "support/openapi_fuzz.rs"]
mod openapi_fuzz;
use openapi_fuzz::*;

use common::fixtures::valid_request;
use common::*;
use serde_json::{json, Value};
use x402_zk_prover_service::error::ApiError;
use x402_zk_service_kit::problem::type_uri;

/// The reasons a client can get, as problem `type` URIs.
fn vocabulary() -> Vec<String> {
    ApiError::ALL_REASONS.iter().map(|r| type_uri(r)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_is_openapi_and_matches_the_routes() {
    let srv = start(config(), fixtures_backend());
    let doc: Value = get(&srv, "/openapi.json").await.json().await.unwrap();
    // OpenAPI 3.1 (utoipa's model parses it back; every $ref resolves).
    assert_eq!(doc["openapi"], "3.1.0");
    serde_json::from_value::<utoipa::openapi::OpenApi>(doc.clone()).expect("an OpenAPI document");
    check_refs(&doc, &doc, "#");
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        validator(&doc, name);
    }
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/v1/proofs",
        "/generate-proof",
        "/health",
        "/ready",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    // The patterns that used to be missing: payTo is base58 or 0x + 64 hex, not any string.
    let v = validator(&doc, "ProofRequest");
    assert!(v.is_valid(&valid_request(1)));
    let mut bad = valid_request(1);
    bad["receipt"]["payTo"] = json!("not a key");
    assert!(!v.is_valid(&bad));

    // Every 405 lists exactly the documented methods.
    let c = client();
    for (path, item) in paths {
        let mut documented: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| {
                ["get", "post", "put", "delete", "patch", "options", "head"].contains(&k.as_str())
            })
            .map(|k| k.to_uppercase())
            .collect();
        documented.sort();
        for m in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if documented.iter().any(|d| d == m) {
                continue;
            }
            let res = c
                .request(m.parse().unwrap(), format!("{}{path}", srv.url()))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 405, "{m} {path}");
            let mut allow: Vec<String> = res.headers()["allow"]
                .to_str()
                .unwrap()
                .split(',')
                .map(|s| s.trim().to_string())
                .collect();
            allow.sort();
            assert_eq!(allow, documented, "Allow of {path}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["type"], type_uri("method_not_allowed"));
        }
    }
    srv.shutdown().await.unwrap();
}

fn fixtures_backend() -> std::sync::Arc<dyn x402_zk_prover_service::backend::ProverBackend> {
    common::fixtures::backend()
}

/// Schema refuses ⇒ handler refuses (4xx, problem JSON, documented reason), for both proof routes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rejections_are_handler_rejections() {
    let srv = start(config(), fixtures_backend());
    let doc: Value = get(&srv, "/openapi.json").await.json().await.unwrap();
    let vocab = vocabulary();
    let v1 = valid_request(2);
    let legacy = json!({
        "minAmount": v1["public"]["minAmount"],
        "recipientKey": v1["receipt"]["payTo"],
        "maxBlockAge": v1["public"]["maxAge"],
        "actualAmount": v1["receipt"]["amount"],
        "senderKey": "11111111111111111111111111111111",
        "signature": v1["receipt"]["signature"],
        "asset": v1["receipt"]["asset"],
        "paidAt": v1["receipt"]["paidAt"],
        "secret": v1["secret"],
        "attester": v1["public"]["attester"],
        "now": v1["public"]["now"],
        "resourceHash": v1["public"]["resourceHash"],
        "programId": v1["public"]["programId"],
    });
    let mut refused = 0;
    for (path, schema, base) in [
        ("/v1/proofs", "ProofRequest", v1),
        ("/generate-proof", "LegacyRequest", legacy),
    ] {
        let v = validator(&doc, schema);
        assert!(v.is_valid(&base), "{schema}: the valid example validates");
        for body in mutations(&base) {
            if v.is_valid(&body) {
                continue;
            }
            refused += 1;
            let res = post(&srv, path, &body).await;
            let status = res.status().as_u16();
            let ct = res.headers()["content-type"].to_str().unwrap().to_string();
            let text = res.text().await.unwrap();
            assert!(
                (400..500).contains(&status),
                "{path}: schema refuses {body}, handler answered {status} {text}"
            );
            assert!(ct.starts_with("application/problem+json"), "{path}: {ct}");
            let problem: Value = serde_json::from_str(&text).unwrap();
            let t = problem["type"].as_str().unwrap_or_default().to_string();
            assert!(vocab.contains(&t), "{path}: reason {t} not documented");
            assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        }
    }
    assert!(refused >= 300, "only {refused} refused mutations");
    srv.shutdown().await.unwrap();
}

/// CI-sized HTTP fuzz of both proof routes: 1,000 seeded byte-level mutations each of a request
/// whose signature does not verify (so nothing reaches the prover). Every answer is a 4xx problem
/// JSON with a documented reason, never a 5xx; the server is healthy afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byte_fuzz_answers_typed_4xx_only() {
    let srv = start(config(), fixtures_backend());
    let vocab = vocabulary();
    let c = client();
    let mut base = valid_request(4);
    base["receipt"]["amount"] = json!(common::fixtures::AMOUNT + 1);
    let legacy = json!({
        "minAmount": base["public"]["minAmount"], "recipientKey": base["receipt"]["payTo"],
        "maxBlockAge": base["public"]["maxAge"], "actualAmount": base["receipt"]["amount"],
        "signature": base["receipt"]["signature"], "asset": base["receipt"]["asset"],
        "paidAt": base["receipt"]["paidAt"], "secret": base["secret"],
        "attester": base["public"]["attester"], "now": base["public"]["now"],
        "resourceHash": base["public"]["resourceHash"], "programId": base["public"]["programId"],
    });
    let mut statuses = std::collections::BTreeMap::new();
    for (path, body, seed) in [
        ("/v1/proofs", base.to_string(), 0x5eed_0001),
        ("/generate-proof", legacy.to_string(), 0x5eed_0002),
    ] {
        let mut tally = SurfaceTally::new(&format!("prover POST {path}"));
        for input in byte_mutations(&body, seed, fuzz_runs()) {
            let res = c
                .post(format!("{}{path}", srv.url()))
                .header("content-type", "application/json")
                .body(input.clone())
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            *statuses.entry((path, status)).or_insert(0u32) += 1;
            let text = res.text().await.unwrap();
            let input = String::from_utf8_lossy(&input);
            assert!(
                (400..500).contains(&status),
                "{path}: {status} {text} for {input}"
            );
            let problem: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{path}: non-JSON {status} {text} for {input}"));
            let t = problem["type"].as_str().unwrap_or_default().to_string();
            assert!(vocab.contains(&t), "{path}: reason {t} not documented");
            tally.record(status, &t, false);
        }
        tally.write(
            &format!("prover{}", path.replace('/', "-")),
            seed,
            &format!(
                "HTTP_FUZZ_RUNS={} cargo test --workspace --test openapi byte_fuzz (bash scripts/load.sh fuzz; CI: cargo test, 1,000)",
                fuzz_runs()
            ),
            "byte mutations of a JSON body over HTTP to the running service (loopback)",
        );
    }
    eprintln!("byte fuzz answers (path, status) → count: {statuses:?}");
    assert_eq!(get(&srv, "/health").await.status().as_u16(), 200);
    assert_eq!(metric(&srv, "proof_generation_total").await, 0.0);
    srv.shutdown().await.unwrap();
}
