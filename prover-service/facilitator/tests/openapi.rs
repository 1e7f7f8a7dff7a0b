//! The facilitator's served OpenAPI document against its handlers, so the two cannot drift: the
//! document is OpenAPI 3.1 whose every `$ref` resolves and which describes every route; every body
//! its schemas refuse (deterministic mutations of a valid request) is refused by `/verify`,
//! `/settle`, `/v1/settlement` and `/v1/attest` with typed JSON naming a documented reason (x402 `invalidReason` /
//! `errorReason` words, problem `type` URIs); every 405 names in `Allow` exactly the methods the
//! document lists for the path (plus OPTIONS where the CORS preflight answers).
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use actix_web::{test, App};
use base64::Engine;
use clap::Parser;
use serde_json::{json, Value};
use x402_zk_circuits::ProvingKeys;
use x402_zk_facilitator::app::{configure, State};
use x402_zk_facilitator::config::Config;
use x402_zk_facilitator::x402::Reason;
#[path = "../../tests/support/openapi_fuzz.rs"]
mod openapi_fuzz;
use openapi_fuzz::*;

const PROGRAM_ID: &str = "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne";
const PAY_TO: &str = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
/// Nothing listens there: no mutation may reach the chain.
const DEAD_RPC: &str = "http://127.0.0.1:9";

fn keys() -> &'static ProvingKeys {
    static KEYS: OnceLock<ProvingKeys> = OnceLock::new();
    KEYS.get_or_init(|| ProvingKeys::dev_setup_deterministic().unwrap())
}

/// A State from a real Config and key files, the chain config guard open (as after a matching read).
fn state() -> Arc<State> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "x402-zk-facilitator-openapi-{}-{n}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    keys().verifier.save(&dir.join("receipt.vk")).unwrap();
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
    let (attester, fee, vk) = (d("attester.json"), d("fee-payer.json"), d("receipt.vk"));
    let config = Config::parse_from([
        "x402-zk-facilitator",
        "--rpc-urls",
        DEAD_RPC,
        "--program-id",
        PROGRAM_ID,
        "--attester-key",
        attester.as_str(),
        "--fee-payer",
        fee.as_str(),
        "--verifying-key",
        vk.as_str(),
        "--allow-dev-keys",
        "--pay-to",
        PAY_TO,
        "--rate-limit-per-minute",
        "0",
    ]);
    let state = State::from_config(&config).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    state.chain.record(Ok(()));
    state
}

fn requirements() -> Value {
    json!({
        "scheme": "zk-receipt", "network": "solana:localnet", "asset": "11111111111111111111111111111111",
        "amount": "1000", "payTo": PAY_TO, "maxTimeoutSeconds": 60,
        "extra": { "programId": PROGRAM_ID, "maxAge": 600, "resourceHash": "0x01" },
    })
}

/// Schema-valid, refused by the handler only at the proof check (its bytes are no proof).
fn verify_request() -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({
        "x402Version": 2,
        "paymentPayload": { "x402Version": 2, "accepted": requirements(), "payload": {
            "proof": base64::engine::general_purpose::STANDARD.encode([1u8; 256]),
            "nullifier": "0x05", "now": now, "resourceHash": "0x01",
        }},
        "paymentRequirements": requirements(),
    })
}

fn attest_request() -> Value {
    json!({
        "txSignature": bs58::encode([3u8; 64]).into_string(),
        "commitment": "0x05",
        "payTo": PAY_TO,
        "asset": "11111111111111111111111111111111",
    })
}

#[actix_web::test]
async fn document_is_openapi_and_schema_rejections_are_handler_rejections() {
    let app = test::init_service(App::new().configure(configure(state()))).await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/openapi.json").to_request(),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200);
    let doc: Value = test::read_body_json(resp).await;
    assert_eq!(doc["openapi"], "3.1.0");
    serde_json::from_value::<utoipa::openapi::OpenApi>(doc.clone()).expect("an OpenAPI document");
    check_refs(&doc, &doc, "#");
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        validator(&doc, name);
    }
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/verify",
        "/settle",
        "/v1/settlement",
        "/supported",
        "/v1/attest",
        "/v1/proving-key",
        "/health",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(paths.contains_key(p), "{p} documented");
    }

    let words: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
    let mut refused = 0;
    for (path, schema, base) in [
        ("/verify", "FacilitatorRequest", verify_request()),
        ("/settle", "FacilitatorRequest", verify_request()),
        ("/v1/settlement", "FacilitatorRequest", verify_request()),
        ("/v1/attest", "AttestRequest", attest_request()),
    ] {
        let v = validator(&doc, schema);
        assert!(
            v.is_valid(&base),
            "{schema}: the valid example validates: {base}"
        );
        let mut bodies = mutations(&base);
        if schema == "FacilitatorRequest" {
            let mut b = base.clone();
            b["paymentRequirements"]["payTo"] = json!("any string at all");
            b["paymentPayload"]["accepted"]["payTo"] = json!("any string at all");
            bodies.push(b);
        }
        for body in bodies {
            if v.is_valid(&body) {
                continue;
            }
            refused += 1;
            let resp = test::call_service(
                &app,
                test::TestRequest::post()
                    .uri(path)
                    .set_json(&body)
                    .to_request(),
            )
            .await;
            let status = resp.status().as_u16();
            let bytes = test::read_body(resp).await;
            let answer: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "{path}: non-JSON answer {status} to {body}: {}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            assert!(status < 500, "{path}: {status} {answer} for {body}");
            match path {
                "/verify" => {
                    assert_eq!(answer["isValid"], false, "{body}");
                    let w = answer["invalidReason"].as_str().unwrap();
                    assert!(words.contains(&w), "{w}");
                }
                "/settle" => {
                    assert_eq!(answer["success"], false, "{body}");
                    let w = answer["errorReason"].as_str().unwrap();
                    assert!(words.contains(&w), "{w}");
                    assert_eq!(answer["transaction"], "");
                }
                "/v1/settlement" => settlement_refusal(status, &answer, &words),
                _ => {
                    assert_eq!(status, 400, "{body}: {answer}");
                    assert_eq!(answer["type"], "urn:x402-zk:problem:malformed-request");
                }
            }
        }
    }
    assert!(refused >= 300, "only {refused} refused mutations");

    // Every 405 lists exactly the documented methods (+ OPTIONS where the CORS preflight answers).
    for (path, item) in paths {
        let mut documented: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
            .map(|k| k.to_uppercase())
            .collect();
        let preflight = test::call_service(
            &app,
            test::TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri(path)
                .to_request(),
        )
        .await;
        if preflight.status().as_u16() == 204 {
            documented.push("OPTIONS".into());
        }
        documented.sort();
        for m in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if documented.iter().any(|d| d == m) {
                continue;
            }
            let resp = test::call_service(
                &app,
                test::TestRequest::default()
                    .method(m.parse().unwrap())
                    .uri(path)
                    .to_request(),
            )
            .await;
            assert_eq!(resp.status().as_u16(), 405, "{m} {path}");
            let mut allow: Vec<String> = resp
                .headers()
                .get("allow")
                .expect("Allow header")
                .to_str()
                .unwrap()
                .split(',')
                .map(|s| s.trim().to_string())
                .collect();
            allow.sort();
            assert_eq!(allow, documented, "Allow of {path}");
            let body: Value = test::read_body_json(resp).await;
            assert_eq!(body["type"], "urn:x402-zk:problem:method-not-allowed");
        }
    }
}

/// A refusal of `/v1/settlement`: problem+json, a malformed body (400) or a reason word.
fn settlement_refusal(status: u16, answer: &Value, words: &[&str]) {
    let t = answer["type"].as_str().unwrap();
    if status == 400 {
        assert_eq!(t, "urn:x402-zk:problem:malformed-request", "{answer}");
    } else {
        let w = answer["reason"].as_str().unwrap();
        assert!(words.contains(&w), "{w}");
        assert_eq!(t, format!("urn:x402-zk:problem:{}", w.replace('_', "-")));
    }
}

/// CI-sized HTTP fuzz of `/verify`, `/settle`, `/v1/settlement` and `/v1/attest`: 1,000 seeded byte-level mutations
/// of a valid body each. Every answer is typed JSON (x402 shape with a reason word on the x402
/// routes, problem JSON on the attester), never a 5xx, and nothing reaches the chain (the RPC is a
/// closed port: a request that did would answer 503 rpc_unavailable).
#[actix_web::test]
async fn byte_fuzz_answers_typed_json_never_5xx() {
    let app = test::init_service(App::new().configure(configure(state()))).await;
    let words: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
    let mut statuses = std::collections::BTreeMap::new();
    for (path, body, seed) in [
        ("/verify", verify_request().to_string(), 0x5eed_0011),
        ("/settle", verify_request().to_string(), 0x5eed_0012),
        ("/v1/settlement", verify_request().to_string(), 0x5eed_0014),
        ("/v1/attest", attest_request().to_string(), 0x5eed_0013),
    ] {
        let mut seen = std::collections::HashSet::new();
        let mut tally = SurfaceTally::new(&format!("facilitator POST {path}"));
        for input in byte_mutations(&body, seed, fuzz_runs()) {
            seen.insert(input.clone());
            let resp = test::call_service(
                &app,
                test::TestRequest::post()
                    .uri(path)
                    .insert_header(("content-type", "application/json"))
                    .set_payload(input.clone())
                    .to_request(),
            )
            .await;
            let status = resp.status().as_u16();
            *statuses.entry((path, status)).or_insert(0u32) += 1;
            let bytes = test::read_body(resp).await;
            let input = String::from_utf8_lossy(&input);
            let answer: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "{path}: non-JSON {status} for {input}: {}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            // The attester reads the chain for a well-formed request: a closed port is its 503.
            let chain_read =
                path == "/v1/attest" && answer["type"] == "urn:x402-zk:problem:rpc-unavailable";
            assert!(
                status < 500 || chain_read,
                "{path}: {status} {answer} for {input}"
            );
            match path {
                "/verify" => {
                    assert_eq!(answer["isValid"], false, "{input}");
                    assert!(words.contains(&answer["invalidReason"].as_str().unwrap()));
                }
                "/settle" => {
                    assert_eq!(answer["success"], false, "{input}");
                    assert!(words.contains(&answer["errorReason"].as_str().unwrap()));
                }
                "/v1/settlement" => settlement_refusal(status, &answer, &words),
                _ => {
                    let t = answer["type"].as_str().unwrap();
                    assert!(t.starts_with("urn:x402-zk:problem:"), "{t}");
                }
            }
            let reason = ["invalidReason", "errorReason", "reason", "type"]
                .iter()
                .find_map(|k| answer[*k].as_str())
                .unwrap_or_default();
            tally.record(status, reason, chain_read);
        }
        assert!(
            seen.len() > 900,
            "{path}: only {} distinct inputs",
            seen.len()
        );
        tally.write(
            &format!("facilitator{}", path.replace('/', "-")),
            seed,
            &format!(
                "HTTP_FUZZ_RUNS={} cargo test --workspace --test openapi byte_fuzz (bash scripts/load.sh fuzz; CI: cargo test, 1,000)",
                fuzz_runs()
            ),
            "byte mutations of a JSON body through the service's actix App (in process, no socket)",
        );
    }
    eprintln!("byte fuzz answers (path, status) → count: {statuses:?}");
    let resp = test::call_service(&app, test::TestRequest::get().uri("/health").to_request()).await;
    assert_eq!(resp.status().as_u16(), 200);
}

/// At the admission limit each limited route answers 503 with `Retry-After` and a body that the
/// document's 503 schema for that route accepts, with the `overloaded` reason word in the route's
/// shape; the unlimited routes still answer.
#[actix_web::test]
async fn overloaded_refusals_are_the_documented_503_bodies() {
    let s = state();
    let app = test::init_service(App::new().configure(configure(s.clone()))).await;
    let doc = x402_zk_facilitator::openapi::document();
    // Take every slot (the default limit) so the next request is the excess.
    let mut held = Vec::new();
    while let Some(p) = s.admission.try_admit() {
        held.push(p);
    }
    assert_eq!(held.len(), s.admission.max());
    let word = Reason::Overloaded.as_str();
    for (path, body) in [
        ("/verify", verify_request()),
        ("/settle", verify_request()),
        ("/v1/settlement", verify_request()),
        ("/v1/attest", attest_request()),
    ] {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(path)
                .set_json(&body)
                .to_request(),
        )
        .await;
        assert_eq!(resp.status().as_u16(), 503, "{path}");
        let retry = resp.headers().get("retry-after").expect("Retry-After");
        assert!(retry.to_str().unwrap().parse::<u64>().unwrap() >= 1);
        let answer: Value = test::read_body_json(resp).await;
        let documented = &doc["paths"][path]["post"]["responses"]["503"]["content"];
        let (_, media) = documented.as_object().unwrap().iter().next().unwrap();
        let name = media["schema"]["$ref"]
            .as_str()
            .unwrap()
            .trim_start_matches("#/components/schemas/");
        assert!(
            validator(doc, name).is_valid(&answer),
            "{path}: {answer} is not a {name}"
        );
        match path {
            "/verify" => assert_eq!(answer["invalidReason"], word, "{answer}"),
            "/settle" => assert_eq!(answer["errorReason"], word, "{answer}"),
            _ => {
                assert_eq!(answer["reason"], word, "{answer}");
                assert_eq!(answer["type"], "urn:x402-zk:problem:overloaded");
            }
        }
    }
    for path in ["/health", "/supported", "/metrics", "/openapi.json"] {
        let resp = test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
        assert_eq!(resp.status().as_u16(), 200, "{path} is not limited");
    }
    drop(held);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/verify")
            .set_json(verify_request())
            .to_request(),
    )
    .await;
    assert_ne!(
        resp.status().as_u16(),
        503,
        "admitted again once a slot is free"
    );
}
