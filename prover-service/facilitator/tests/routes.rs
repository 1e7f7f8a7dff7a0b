//! The facilitator's HTTP surface in-process (actix test service, real State from a real Config and
//! key files): every bad input gets a typed JSON answer, never a 5xx or HTML, and is counted in
//! /metrics; an unreachable RPC endpoint shows in /health and fails closed with a JSON 503.
//!
//! Issue #14's attacks run here against a fake Solana RPC (a local HTTP server answering the few
//! JSON-RPC methods the facilitator calls, counting every `sendTransaction`) and real Groth16
//! proofs from the deterministic dev keys: one nullifier settled concurrently succeeds once,
//! merchants not configured and small amounts send nothing, the attester is idempotent and reads
//! only trusted endpoints, the chain config guard refuses to serve until `Config` matches, the
//! rate limit answers 429 JSON with `Retry-After`, and beyond `--max-in-flight` a running
//! facilitator answers the excess at once with 503 `overloaded`.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actix_web::{http::StatusCode, test, web, App, HttpResponse, HttpServer};
use anchor_client::anchor_lang::prelude::Pubkey;
use anchor_client::anchor_lang::AccountSerialize;
use ark_bn254::Fr;
use base64::Engine;
use clap::Parser;
use serde_json::{json, Value};
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::field::{fr_to_hex, modulus};
use x402_zk_circuits::receipt::{commitment, PublicParams, Receipt, Witness};
use x402_zk_circuits::ProvingKeys;
use x402_zk_facilitator::app::{configure, State, MAX_BODY_BYTES};
use x402_zk_facilitator::chain_config::{attester_bytes, vk_sha256};
use x402_zk_facilitator::config::Config;
use x402_zk_facilitator::settle::nullifier_pda;

const PROGRAM_ID: &str = "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne";
const PAY_TO: &str = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
/// A merchant this facilitator does not serve.
const STRANGER: &str = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
const SOL: &str = "11111111111111111111111111111111";
/// Nothing listens there.
const DEAD_RPC: &str = "http://127.0.0.1:9";
const ATTESTER_SECRET: [u8; 32] = [7u8; 32];

fn keys() -> &'static ProvingKeys {
    static KEYS: OnceLock<ProvingKeys> = OnceLock::new();
    KEYS.get_or_init(|| ProvingKeys::dev_setup_deterministic().unwrap())
}

/// Key files in a fresh temp dir, then a State for `rpc_urls` and `extra` flags.
fn try_state(name: &str, rpc_urls: &str, extra: &[&str]) -> anyhow::Result<Arc<State>> {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "x402-zk-facilitator-routes-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    keys().verifier.save(&dir.join("receipt.vk")).unwrap();
    std::fs::write(
        dir.join("attester.json"),
        json!({ "secretKey": hex::encode(ATTESTER_SECRET) }).to_string(),
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
    let mut args: Vec<String> = [
        "x402-zk-facilitator",
        "--rpc-urls",
        rpc_urls,
        "--program-id",
        PROGRAM_ID,
        "--attester-key",
        &d("attester.json"),
        "--fee-payer",
        &d("fee-payer.json"),
        "--verifying-key",
        &d("receipt.vk"),
        "--allow-dev-keys",
        "--pay-to",
        PAY_TO,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let config = Config::parse_from(args);
    let state = State::from_config(&config);
    // Everything is read at start-up.
    std::fs::remove_dir_all(&dir).unwrap();
    state
}

/// A State whose RPC is a closed port and whose chain config guard is open (as after a matching
/// read), so the x402 checks themselves are what answers.
fn state(name: &str) -> Arc<State> {
    let s = try_state(name, DEAD_RPC, &[]).unwrap();
    s.chain.record(Ok(()));
    s
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
async fn supported_follows_the_x402_v2_shape_and_advertises_what_a_merchant_needs() {
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
    let extra = &kind["extra"];
    assert_eq!(extra["programId"], PROGRAM_ID);
    let x = extra["attester"]["x"].as_str().unwrap();
    assert!(
        !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()),
        "{kind}"
    );
    // Defaults: the attester is this facilitator at http://BIND:PORT, maxAge 600, no prover.
    assert_eq!(extra["attesterUrl"], "http://127.0.0.1:8403");
    assert_eq!(extra["maxAge"], 600);
    assert!(extra.get("proverUrl").is_none(), "{extra}");
    let vk = format!("0x{}", hex::encode(vk_sha256(&keys().verifier.vk)));
    assert_eq!(extra["vkHash"], vk);
    assert_eq!(body["extensions"], json!([]));
    let fee_payer =
        solana_signer::Signer::pubkey(&solana_keypair::Keypair::new_from_array([9u8; 32]))
            .to_string();
    assert_eq!(
        body["signers"],
        json!({ "solana:*": [fee_payer] }),
        "{body}"
    );

    // Configured URLs and maxAge are advertised as given.
    let s = try_state(
        "info2",
        DEAD_RPC,
        &[
            "--public-url",
            "https://pay.example.com/",
            "--prover-url",
            "https://prover.example.com",
            "--max-age",
            "300",
        ],
    )
    .unwrap();
    let app = test::init_service(App::new().configure(configure(s))).await;
    let body: Value = test::call_and_read_body_json(
        &app,
        test::TestRequest::get().uri("/supported").to_request(),
    )
    .await;
    let extra = &body["kinds"][0]["extra"];
    assert_eq!(extra["attesterUrl"], "https://pay.example.com");
    assert_eq!(extra["proverUrl"], "https://prover.example.com");
    assert_eq!(extra["maxAge"], 300);
}

#[actix_web::test]
async fn health_shows_rpc_endpoints_and_the_chain_config_verdict() {
    let s = try_state("health", DEAD_RPC, &[]).unwrap();
    let app = test::init_service(App::new().configure(configure(s.clone()))).await;
    let resp = test::call_service(&app, test::TestRequest::get().uri("/health").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = test::read_body_json(resp).await;
    assert_eq!(body["status"], "ok");
    let endpoints = body["rpc"]["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), 1);
    // Only host:port is ever shown (a URL path or query may carry an API key).
    assert!(body.to_string().contains("127.0.0.1:9"), "{body}");
    assert_eq!(
        body["chainConfig"],
        json!({"ok": false, "reason": "chain Config not read yet"})
    );
    s.chain.record(Ok(()));
    let body: Value =
        test::call_and_read_body_json(&app, test::TestRequest::get().uri("/health").to_request())
            .await;
    assert_eq!(body["chainConfig"], json!({"ok": true}));
}

fn base_flags() -> [&'static str; 11] {
    [
        "x402-zk-facilitator",
        "--program-id",
        PROGRAM_ID,
        "--attester-key",
        "a",
        "--fee-payer",
        "f",
        "--verifying-key",
        "v",
        "--pay-to",
        PAY_TO,
    ]
}

#[actix_web::test]
async fn batch_flags_out_of_range_are_refused_at_start_up() {
    let base = base_flags();
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

#[actix_web::test]
async fn new_flags_defaults_and_the_required_pay_to() {
    let base = base_flags();
    // No --pay-to: refused at start-up, naming the flag.
    let err =
        Config::try_parse_from(base[..9].iter().copied()).expect_err("started without --pay-to");
    assert!(err.to_string().contains("--pay-to"), "{err}");
    // Several merchants, comma-separated; the defaults.
    let c = Config::try_parse_from(
        base[..9]
            .iter()
            .copied()
            .chain(["--pay-to", &format!("{PAY_TO},{STRANGER}")]),
    )
    .unwrap();
    assert_eq!(c.pay_to, vec![PAY_TO.to_string(), STRANGER.to_string()]);
    assert_eq!(c.min_amount, 1000);
    assert_eq!(c.rate_limit_per_minute, 600);
    assert_eq!(c.rate_limit_window_ms, 60_000);
    assert!(c.trusted_proxies.is_empty());
    assert_eq!(c.max_age, 600);
    assert_eq!(c.config_check_interval_secs, 30);
    assert_eq!(c.public_url(), "http://127.0.0.1:8403");
    assert_eq!(c.prover_url, None);
    assert_eq!(c.attest_urls(), vec!["http://127.0.0.1:8899".to_string()]);
    assert_eq!(c.max_in_flight, 64);
    // --receipt-ledger is gone.
    let err = Config::try_parse_from(base.iter().copied().chain(["--receipt-ledger", "x"]))
        .expect_err("--receipt-ledger accepted");
    assert!(err.to_string().contains("--receipt-ledger"), "{err}");
    // A --pay-to that is not a 32-byte base58 key stops the start-up with a clear message.
    let err = try_state("badpayto", DEAD_RPC, &["--pay-to", "not-a-key"])
        .err()
        .expect("bad --pay-to accepted");
    assert!(err.to_string().contains("--pay-to"), "{err}");
}

#[actix_web::test]
async fn dev_keys_need_every_rpc_host_to_be_loopback_not_just_to_contain_it() {
    for remote in [
        "http://127.0.0.1.evil.com:8899",
        "http://localhost.evil.com",
        "http://evil.com/127.0.0.1",
    ] {
        let err = try_state("devkeys", remote, &[])
            .err()
            .unwrap_or_else(|| panic!("dev keys accepted with RPC {remote}"));
        assert!(err.to_string().contains("provenance 'dev'"), "{err}");
    }
    // An untrusted attestation endpoint counts too.
    let err = try_state(
        "devkeys2",
        DEAD_RPC,
        &["--attest-rpc-urls", "https://rpc.example.com"],
    )
    .err()
    .expect("dev keys accepted with a remote attestation RPC");
    assert!(err.to_string().contains("provenance 'dev'"), "{err}");
    assert!(try_state("devkeys3", "http://localhost:8899,http://[::1]:8899", &[]).is_ok());
}

// ---------------------------------------------------------------------------------------------
// A fake Solana JSON-RPC endpoint.

#[derive(Default)]
struct Chain {
    /// address → (owner, data)
    accounts: HashMap<String, (String, Vec<u8>)>,
    /// signature → getTransaction result
    txs: HashMap<String, Value>,
    /// Account created (owned by the program) when a transaction is sent: the nullifier it burns.
    burns_on_send: Option<String>,
    /// How long `sendTransaction` takes.
    send_delay: Duration,
    /// When set, `sendTransaction` answers this JSON-RPC error (a refused preflight).
    send_error: Option<Value>,
    /// `sendTransaction` of a transaction holding a program instruction with this discriminator
    /// answers this JSON-RPC error (a refused preflight: nothing landed).
    refuse_ix: Option<([u8; 8], Value)>,
    /// `sendTransaction` of a transaction holding a program instruction with this discriminator
    /// answers HTTP 500 (the node may or may not have taken it: outcome unknown).
    lose_ix: Option<[u8; 8]>,
    /// Discriminators of the program instructions of every landed transaction, in order.
    landed: Vec<[u8; 8]>,
    sends: usize,
    calls: usize,
}

/// Rent of a 48-byte nullifier account (what the fake reports as its lamports).
const NULLIFIER_RENT: u64 = 1_224_960;

/// `getProgramAccounts` of the fake: the program's accounts matching `dataSize` and `memcmp`
/// (base58) filters, as a real node applies them.
fn program_accounts(c: &Chain, params: &Value) -> Value {
    let owner = params[0].as_str().unwrap_or("");
    let filters = params[1]["filters"].as_array().cloned().unwrap_or_default();
    let matches = |data: &[u8]| {
        filters.iter().all(|f| {
            if let Some(size) = f["dataSize"].as_u64() {
                return data.len() as u64 == size;
            }
            let offset = f["memcmp"]["offset"].as_u64().unwrap() as usize;
            let bytes = bs58::decode(f["memcmp"]["bytes"].as_str().unwrap())
                .into_vec()
                .unwrap();
            data.get(offset..offset + bytes.len()) == Some(bytes.as_slice())
        })
    };
    let list: Vec<Value> = c
        .accounts
        .iter()
        .filter(|(_, (o, data))| o == owner && matches(data))
        .map(|(address, (o, data))| {
            json!({"pubkey": address, "account": {
                "data": [base64::engine::general_purpose::STANDARD.encode(data), "base64"],
                "lamports": NULLIFIER_RENT, "owner": o, "executable": false, "rentEpoch": 0,
                "space": data.len()}})
        })
        .collect();
    json!(list)
}

/// What a landed `close_expired_nullifiers` does on the fake: the nullifier accounts of its
/// pairs disappear.
fn apply_closes(c: &mut Chain, wire_b64: &str) {
    use anchor_client::anchor_lang::InstructionData;
    let wire = base64::engine::general_purpose::STANDARD
        .decode(wire_b64)
        .unwrap();
    let tx: solana_transaction::Transaction = bincode::deserialize(&wire).unwrap();
    let close = x402_zk_verifier::instruction::CloseExpiredNullifiers {}.data();
    let keys = &tx.message.account_keys;
    for ix in &tx.message.instructions {
        if keys[ix.program_id_index as usize] == program() && ix.data == close {
            for pair in ix.accounts.chunks(2) {
                c.accounts.remove(&keys[pair[0] as usize].to_string());
            }
        }
    }
}

/// The discriminators (first 8 data bytes) of the program's instructions in a sent transaction.
fn program_ixs(wire_b64: &str) -> Vec<[u8; 8]> {
    let wire = base64::engine::general_purpose::STANDARD
        .decode(wire_b64)
        .unwrap();
    let tx: solana_transaction::Transaction = bincode::deserialize(&wire).unwrap();
    let keys = &tx.message.account_keys;
    tx.message
        .instructions
        .iter()
        .filter(|ix| keys[ix.program_id_index as usize] == program() && ix.data.len() >= 8)
        .map(|ix| ix.data[..8].try_into().unwrap())
        .collect()
}

type SharedChain = Arc<Mutex<Chain>>;

async fn fake_rpc(chain: web::Data<SharedChain>, body: web::Json<Value>) -> HttpResponse {
    let method = body["method"].as_str().unwrap_or("").to_string();
    let params = body["params"].clone();
    let delay = {
        let mut c = chain.lock().unwrap();
        c.calls += 1;
        c.send_delay
    };
    let result = match method.as_str() {
        "getAccountInfo" => {
            let c = chain.lock().unwrap();
            match c.accounts.get(params[0].as_str().unwrap_or("")) {
                None => json!({"context": {"slot": 1}, "value": null}),
                Some((owner, data)) => json!({"context": {"slot": 1}, "value": {
                    "owner": owner, "lamports": 1_000_000, "executable": false, "rentEpoch": 0,
                    "data": [base64::engine::general_purpose::STANDARD.encode(data), "base64"]}}),
            }
        }
        "getBalance" => json!({"context": {"slot": 1}, "value": 4_000_000_000u64}),
        "getMinimumBalanceForRentExemption" => json!(1_000_000u64),
        "getLatestBlockhash" => json!({"context": {"slot": 1}, "value": {
            "blockhash": bs58::encode([3u8; 32]).into_string(), "lastValidBlockHeight": 100}}),
        "getProgramAccounts" => program_accounts(&chain.lock().unwrap(), &params),
        "sendTransaction" => {
            actix_web::rt::time::sleep(delay).await;
            let mut c = chain.lock().unwrap();
            if let Some(err) = c.send_error.clone() {
                return HttpResponse::Ok().json(json!({"jsonrpc": "2.0", "id": 1, "error": err}));
            }
            let ixs = program_ixs(params[0].as_str().unwrap_or(""));
            if let Some((d, err)) = c.refuse_ix.clone() {
                if ixs.contains(&d) {
                    return HttpResponse::Ok()
                        .json(json!({"jsonrpc": "2.0", "id": 1, "error": err}));
                }
            }
            if c.lose_ix.is_some_and(|d| ixs.contains(&d)) {
                return HttpResponse::InternalServerError().finish();
            }
            c.landed.extend(ixs);
            c.sends += 1;
            apply_closes(&mut c, params[0].as_str().unwrap_or(""));
            if let Some(pda) = c.burns_on_send.clone() {
                c.accounts.insert(
                    pda,
                    (
                        PROGRAM_ID.to_string(),
                        vec![1u8; x402_zk_verifier::state::Nullifier::SPACE],
                    ),
                );
            }
            json!(bs58::encode([c.sends as u8; 64]).into_string())
        }
        "getSignatureStatuses" => {
            json!({"context": {"slot": 1}, "value": [{"slot": 1, "confirmations": null,
                "err": null, "confirmationStatus": "confirmed"}]})
        }
        "getTransaction" => {
            let c = chain.lock().unwrap();
            c.txs
                .get(params[0].as_str().unwrap_or(""))
                .cloned()
                .unwrap_or(Value::Null)
        }
        _ => {
            return HttpResponse::Ok().json(json!({"jsonrpc": "2.0", "id": 1,
                "error": {"code": -32601, "message": format!("method {method} not found")}}))
        }
    };
    HttpResponse::Ok().json(json!({"jsonrpc": "2.0", "id": 1, "result": result}))
}

/// Starts the fake RPC on a free loopback port; returns its URL and its state.
fn start_fake_rpc() -> (String, SharedChain) {
    let chain: SharedChain = Arc::default();
    let data = web::Data::new(chain.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/", web::post().to(fake_rpc))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (format!("http://127.0.0.1:{port}"), chain)
}

fn program() -> Pubkey {
    PROGRAM_ID.parse().unwrap()
}

/// The program's `Config` account for this facilitator's keys (or edited by `edit`).
fn config_account(edit: impl FnOnce(&mut x402_zk_verifier::state::Config)) -> (String, Vec<u8>) {
    let mut c = x402_zk_verifier::state::Config {
        authority: Pubkey::new_from_array([1; 32]),
        attester: attester_bytes(&Attester::from_secret(ATTESTER_SECRET).public()),
        max_clock_skew_seconds: 60,
        paused: false,
        bump: 255,
        domain: [0; 32],
        vk_hash: vk_sha256(&keys().verifier.vk),
        max_receipt_age_seconds: 600,
        nullifier_rent_lamports: 1_224_960,
    };
    edit(&mut c);
    let mut data = Vec::new();
    c.try_serialize(&mut data).unwrap();
    (PROGRAM_ID.to_string(), data)
}

fn config_address() -> String {
    Pubkey::find_program_address(&[x402_zk_verifier::state::CONFIG_SEED], &program())
        .0
        .to_string()
}

/// A real payment to `pay_to` (1 500 lamports paid, `amount` required) with a proof from the dev
/// keys and this facilitator's attester; returns the request body and the nullifier (32 bytes BE).
fn paid_request(pay_to: &str, amount: u64, seed: u64) -> (Value, [u8; 32]) {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let attester = Attester::from_secret(ATTESTER_SECRET);
    let now = now();
    let secret = Fr::from(seed + 1_000);
    let public = PublicParams {
        attester: attester.public(),
        pay_to: bs58::decode(pay_to).into_vec().unwrap().try_into().unwrap(),
        asset: [0; 32],
        min_amount: amount,
        now,
        max_age: 600,
        resource_hash: Fr::from(1u64),
        program_id: program().to_bytes(),
    };
    let receipt = Receipt {
        pay_to: public.pay_to,
        asset: public.asset,
        amount: 1_500,
        paid_at: now - 60,
        commitment: commitment(&secret),
    };
    let w = Witness {
        public,
        secret,
        amount: receipt.amount,
        paid_at: receipt.paid_at,
        signature: receipt.sign(&attester),
    };
    let bundle = x402_zk_circuits::groth16::prove(keys(), &w, &mut rng).unwrap();
    let mut reqs = requirements();
    reqs["payTo"] = json!(pay_to);
    reqs["amount"] = json!(amount.to_string());
    let body = json!({
        "x402Version": 2,
        "paymentPayload": { "x402Version": 2, "accepted": reqs, "payload": {
            "proof": base64::engine::general_purpose::STANDARD.encode(bundle.solana_proof_bytes()),
            "nullifier": format!("0x{}", hex::encode(bundle.nullifier_bytes())),
            "now": now, "resourceHash": "0x01",
        }},
        "paymentRequirements": reqs,
    });
    (body, bundle.nullifier_bytes())
}

/// A State on a new fake RPC whose chain `Config` matches (guard open).
async fn fake_state(name: &str, extra: &[&str]) -> (Arc<State>, SharedChain, String) {
    let (url, chain) = start_fake_rpc();
    chain
        .lock()
        .unwrap()
        .accounts
        .insert(config_address(), config_account(|_| {}));
    let s = state_on(name, &url, extra).await;
    (s, chain, url)
}

/// A State on the fake RPC at `url`, its guard checked (and open).
async fn state_on(name: &str, url: &str, extra: &[&str]) -> Arc<State> {
    let s = try_state(name, url, extra).unwrap();
    assert!(s.chain.check(&s.rpc).await, "{:?}", s.chain.status());
    s
}

/// A discriminator of the program's instructions.
fn disc<T: anchor_client::anchor_lang::Discriminator>() -> [u8; 8] {
    T::DISCRIMINATOR.try_into().unwrap()
}

#[actix_web::test]
async fn a_buffer_batch_not_written_or_not_verified_falls_back_alone_or_reports_unknown() {
    use x402_zk_verifier::instruction::{VerifyBatchFromBuffer, VerifyPayment, WriteProofBuffer};
    let refused = json!({"code": -32002, "message": "Transaction simulation failed",
        "data": {"logs": ["Program log: refused by the fake"]}});
    // (name, instruction refused or lost, whether lost)
    let cases = [
        ("buf-write", disc::<WriteProofBuffer>(), false),
        ("buf-verify", disc::<VerifyBatchFromBuffer>(), false),
        ("buf-lost", disc::<VerifyBatchFromBuffer>(), true),
    ];
    for (i, (name, ix, lost)) in cases.into_iter().enumerate() {
        let extra = &["--batch-max", "3", "--batch-window-ms", "1000"];
        let (s, chain, _) = fake_state(name, extra).await;
        {
            let mut c = chain.lock().unwrap();
            if lost {
                c.lose_ix = Some(ix);
            } else {
                c.refuse_ix = Some((ix, refused.clone()));
            }
        }
        s.start_batcher();
        let app = test::init_service(App::new().configure(configure(s.clone()))).await;
        let bodies: Vec<Value> = (0..3)
            .map(|k| paid_request(PAY_TO, 1_000, 50 + 10 * i as u64 + k).0)
            .collect();
        let answers = futures_util::future::join_all(bodies.iter().map(|b| {
            test::call_and_read_body_json::<_, _, Value>(
                &app,
                test::TestRequest::post()
                    .uri("/settle")
                    .set_json(b.clone())
                    .to_request(),
            )
        }))
        .await;
        let landed = chain.lock().unwrap().landed.clone();
        let count = |d: [u8; 8]| landed.iter().filter(|x| **x == d).count();
        if lost {
            // The verify may still land: every caller is told the outcome is unknown, and no
            // payment is settled again alone.
            for a in &answers {
                assert_eq!(a["success"], false, "{name}: {a}");
                assert_eq!(a["errorReason"], "rpc_unavailable", "{name}: {a}");
            }
            assert_eq!(count(disc::<VerifyPayment>()), 0, "{name}: {landed:?}");
            assert_eq!(
                count(disc::<WriteProofBuffer>()),
                1,
                "{name}: three in one write"
            );
        } else {
            // Nothing verified together: each payment settled alone, with its own transaction.
            for a in &answers {
                assert_eq!(a["success"], true, "{name}: {a}");
            }
            let mut sigs: Vec<&str> = answers
                .iter()
                .map(|a| a["transaction"].as_str().unwrap())
                .collect();
            sigs.sort();
            sigs.dedup();
            assert_eq!(sigs.len(), 3, "{name}: one transaction each: {answers:?}");
            assert_eq!(count(disc::<VerifyPayment>()), 3, "{name}: {landed:?}");
            assert_eq!(count(disc::<VerifyBatchFromBuffer>()), 0, "{name}");
        }
        assert_eq!(
            s.metrics.total("facilitator_proof_buffers_created_total"),
            1,
            "{name}: one buffer created"
        );
    }
}

#[actix_web::test]
async fn one_nullifier_settled_concurrently_succeeds_once() {
    let (body, nullifier) = paid_request(PAY_TO, 1_000, 1);
    let pda = nullifier_pda(&program().to_bytes(), &nullifier).to_string();
    for batch in [false, true] {
        let extra: &[&str] = if batch {
            &["--batch-max", "4", "--batch-window-ms", "100"]
        } else {
            &[]
        };
        let (s, chain, url) = fake_state(if batch { "race-b" } else { "race" }, extra).await;
        {
            let mut c = chain.lock().unwrap();
            c.burns_on_send = Some(pda.clone());
            c.send_delay = Duration::from_millis(400);
        }
        s.start_batcher();
        let app = test::init_service(App::new().configure(configure(s.clone()))).await;
        let settle = || {
            test::call_and_read_body_json::<_, _, Value>(
                &app,
                test::TestRequest::post()
                    .uri("/settle")
                    .set_json(body.clone())
                    .to_request(),
            )
        };
        // Six settlements at once, and a /verify while they are in flight.
        let verify_in_flight = async {
            actix_web::rt::time::sleep(Duration::from_millis(200)).await;
            test::call_and_read_body_json::<_, _, Value>(
                &app,
                test::TestRequest::post()
                    .uri("/verify")
                    .set_json(body.clone())
                    .to_request(),
            )
            .await
        };
        let (answers, verify) = tokio::join!(
            futures_util::future::join_all((0..6).map(|_| settle())),
            verify_in_flight
        );
        let ok: Vec<&Value> = answers.iter().filter(|a| a["success"] == true).collect();
        assert_eq!(ok.len(), 1, "batch={batch}: {answers:?}");
        assert!(!ok[0]["transaction"].as_str().unwrap().is_empty());
        for a in answers.iter().filter(|a| a["success"] != true) {
            assert_eq!(a["errorReason"], "nullifier_already_used", "{a}");
            assert_eq!(a["transaction"], "", "{a}");
        }
        assert_eq!(verify["isValid"], false, "{verify}");
        assert_eq!(verify["invalidReason"], "nullifier_already_used");
        assert_eq!(chain.lock().unwrap().sends, 1, "batch={batch}");

        // Later: still refused, nothing sent — by the claim table here, and by the chain alone in
        // another instance.
        let again = settle().await;
        assert_eq!(again["errorReason"], "nullifier_already_used", "{again}");
        let other = state_on(if batch { "race-b2" } else { "race2" }, &url, extra).await;
        other.start_batcher();
        let other = test::init_service(App::new().configure(configure(other))).await;
        let r: Value = test::call_and_read_body_json(
            &other,
            test::TestRequest::post()
                .uri("/settle")
                .set_json(body.clone())
                .to_request(),
        )
        .await;
        assert_eq!(r["errorReason"], "nullifier_already_used", "{r}");
        assert_eq!(chain.lock().unwrap().sends, 1);
    }
}

#[actix_web::test]
async fn a_nullifier_already_on_chain_is_refused_without_a_transaction() {
    let (body, nullifier) = paid_request(PAY_TO, 1_000, 2);
    let (s, chain, _) = fake_state("onchain", &[]).await;
    let pda = nullifier_pda(&program().to_bytes(), &nullifier).to_string();
    // A pre-funded, system-owned PDA address is not a spent nullifier (griefing must not work).
    chain
        .lock()
        .unwrap()
        .accounts
        .insert(pda.clone(), (SOL.to_string(), vec![]));
    let app = test::init_service(App::new().configure(configure(s))).await;
    let post = |path: &str| {
        test::TestRequest::post()
            .uri(path)
            .set_json(body.clone())
            .to_request()
    };
    let v: Value = test::call_and_read_body_json(&app, post("/verify")).await;
    assert_eq!(v["isValid"], true, "{v}");
    chain.lock().unwrap().accounts.insert(
        pda,
        (
            PROGRAM_ID.to_string(),
            vec![1u8; x402_zk_verifier::state::Nullifier::SPACE],
        ),
    );
    let v: Value = test::call_and_read_body_json(&app, post("/verify")).await;
    assert_eq!(v["invalidReason"], "nullifier_already_used", "{v}");
    let r: Value = test::call_and_read_body_json(&app, post("/settle")).await;
    assert_eq!(r["success"], false);
    assert_eq!(r["errorReason"], "nullifier_already_used", "{r}");
    assert_eq!(chain.lock().unwrap().sends, 0);
}

#[actix_web::test]
async fn merchants_not_configured_and_small_amounts_are_refused_without_sending() {
    let (s, chain, _) = fake_state("payto", &["--min-amount", "1000"]).await;
    let app = test::init_service(App::new().configure(configure(s.clone()))).await;
    let calls_before = chain.lock().unwrap().calls;
    let mut stranger = request(payload(256, "0x05"));
    stranger["paymentRequirements"]["payTo"] = json!(STRANGER);
    stranger["paymentPayload"]["accepted"]["payTo"] = json!(STRANGER);
    let mut small = request(payload(256, "0x05"));
    small["paymentRequirements"]["amount"] = json!("999");
    small["paymentPayload"]["accepted"]["amount"] = json!("999");
    for (req, reason) in [
        (stranger, "pay_to_not_allowed"),
        (small, "amount_below_facilitator_minimum"),
    ] {
        let v: Value = test::call_and_read_body_json(
            &app,
            test::TestRequest::post()
                .uri("/verify")
                .set_json(req.clone())
                .to_request(),
        )
        .await;
        assert_eq!(v["isValid"], false);
        assert_eq!(v["invalidReason"], reason, "{v}");
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/settle")
                .set_json(req)
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let r: Value = test::read_body_json(resp).await;
        assert_eq!(r["success"], false);
        assert_eq!(r["errorReason"], reason, "{r}");
        assert_eq!(r["transaction"], "");
        assert_eq!(
            s.metrics.get("facilitator_settle_total", "result", reason),
            1
        );
    }
    // Not a single RPC call, let alone a transaction.
    let c = chain.lock().unwrap();
    assert_eq!((c.calls, c.sends), (calls_before, 0));
}

#[actix_web::test]
async fn verify_and_settle_answer_503_config_mismatch_until_config_matches() {
    // Before the first successful read (the RPC is dead): 503, whatever the request.
    let s = try_state("guard", DEAD_RPC, &[]).unwrap();
    assert!(!s.chain.check(&s.rpc).await);
    let app = test::init_service(App::new().configure(configure(s.clone()))).await;
    let (body, _) = paid_request(PAY_TO, 1_000, 3);
    for (path, field) in [("/verify", "invalidReason"), ("/settle", "errorReason")] {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(path)
                .set_json(body.clone())
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let v: Value = test::read_body_json(resp).await;
        assert_eq!(v["error"], "config_mismatch", "{v}");
        assert_eq!(v[field], "config_mismatch", "{v}");
        assert!(
            v["detail"]
                .as_str()
                .unwrap()
                .starts_with("chain Config not read yet"),
            "{v}"
        );
    }
    assert_eq!(
        s.metrics
            .get("facilitator_settle_total", "result", "config_mismatch"),
        1
    );

    // A chain Config with another attester, then another verifying key, then paused.
    let (url, chain) = start_fake_rpc();
    let s = try_state("guard2", &url, &[]).unwrap();
    let app = test::init_service(App::new().configure(configure(s.clone()))).await;
    type Edit = fn(&mut x402_zk_verifier::state::Config);
    let edits: [(Edit, &str); 4] = [
        (
            |c| c.attester[5] ^= 1,
            "attester key differs from chain Config",
        ),
        (|c| c.vk_hash = [0; 32], "verifying key hash differs"),
        (
            |c| c.max_clock_skew_seconds = 30,
            "max clock skew 60 s exceeds the chain Config's 30 s",
        ),
        (|c| c.paused = true, "paused"),
    ];
    for (edit, says) in edits {
        chain
            .lock()
            .unwrap()
            .accounts
            .insert(config_address(), config_account(edit));
        assert!(!s.chain.check(&s.rpc).await);
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/verify")
                .set_json(body.clone())
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        let v: Value = test::read_body_json(resp).await;
        assert!(v["detail"].as_str().unwrap().contains(says), "{v}");
        let h: Value = test::call_and_read_body_json(
            &app,
            test::TestRequest::get().uri("/health").to_request(),
        )
        .await;
        assert_eq!(h["chainConfig"]["ok"], false);
        assert!(
            h["chainConfig"]["reason"].as_str().unwrap().contains(says),
            "{h}"
        );
    }
    // Fixed on chain: serves again, no restart.
    chain
        .lock()
        .unwrap()
        .accounts
        .insert(config_address(), config_account(|_| {}));
    assert!(s.chain.check(&s.rpc).await);
    let v: Value = test::call_and_read_body_json(
        &app,
        test::TestRequest::post()
            .uri("/verify")
            .set_json(body)
            .to_request(),
    )
    .await;
    assert_eq!(v["isValid"], true, "{v}");
}

#[actix_web::test]
async fn the_guard_rechecks_config_on_a_timer() {
    let (url, chain) = start_fake_rpc();
    chain
        .lock()
        .unwrap()
        .accounts
        .insert(config_address(), config_account(|c| c.paused = true));
    let s = try_state("timer", &url, &["--config-check-interval-secs", "1"]).unwrap();
    let (port, handle) = x402_zk_facilitator::app::spawn_local(s.clone()).unwrap();
    // Closed from the start ("not read yet"), then for the reason the first read gives.
    let mut h = wait_for_chain_config(port, false).await;
    for _ in 0..50 {
        if h["chainConfig"]["reason"] != "chain Config not read yet" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        h = wait_for_chain_config(port, false).await;
    }
    assert_eq!(
        h["chainConfig"]["reason"],
        "payments are paused in chain Config"
    );
    chain
        .lock()
        .unwrap()
        .accounts
        .insert(config_address(), config_account(|_| {}));
    wait_for_chain_config(port, true).await;
    handle.stop(false).await;
}

/// Polls `/health` of the facilitator on `port` until `chainConfig.ok == ok` (5 s at most).
async fn wait_for_chain_config(port: u16, ok: bool) -> Value {
    for _ in 0..50 {
        let h: Value = reqwest::get(format!("http://127.0.0.1:{port}/health"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if h["chainConfig"]["ok"] == ok {
            return h;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chainConfig.ok never became {ok}");
}

/// A finalized SOL transfer of 2 500 lamports to PAY_TO with the given memos.
fn transfer_tx(memos: &[&str]) -> Value {
    let ixs: Vec<Value> = memos
        .iter()
        .map(|m| json!({"program": "spl-memo", "programId": "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "parsed": m}))
        .collect();
    json!({
        "slot": 10, "blockTime": 1_764_000_000u64,
        "meta": {"err": null, "fee": 5000, "preBalances": [5_000_000_000u64, 1_000], "postBalances": [4_999_992_500u64, 3_500],
                 "preTokenBalances": [], "postTokenBalances": [], "innerInstructions": []},
        "transaction": {"signatures": [], "message": {
            "accountKeys": [{"pubkey": STRANGER, "signer": true, "writable": true},
                            {"pubkey": PAY_TO, "signer": false, "writable": true}],
            "instructions": ixs
        }}
    })
}

fn attest_body(sig: &str, c: &str) -> Value {
    json!({"txSignature": sig, "commitment": c, "payTo": PAY_TO, "asset": SOL})
}

#[actix_web::test]
async fn attestation_is_idempotent_and_reads_only_trusted_endpoints() {
    let (url, chain) = start_fake_rpc();
    let c = fr_to_hex(&commitment(&Fr::from(42u64)));
    let sig = |n: u8| bs58::encode([n; 64]).into_string();
    {
        let mut ch = chain.lock().unwrap();
        ch.txs
            .insert(sig(1), transfer_tx(&[&format!("x402-zk:{c}")]));
        ch.txs.insert(
            sig(2),
            transfer_tx(&[&format!("x402-zk:{c}"), &format!("x402-zk:{c}")]),
        );
    }
    let post = |body: Value| {
        test::TestRequest::post()
            .uri("/v1/attest")
            .set_json(body)
            .to_request()
    };

    // The fake node is only a settlement fallback: the attester never asks it.
    let s = try_state("attest-untrusted", &format!("{DEAD_RPC},{url}"), &[]).unwrap();
    let app = test::init_service(App::new().configure(configure(s))).await;
    let resp = test::call_service(&app, post(attest_body(&sig(1), &c))).await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(chain.lock().unwrap().calls, 0);

    // Trusted for attestation: the same receipt to every caller, every time.
    let s = try_state("attest", DEAD_RPC, &["--attest-rpc-urls", &url]).unwrap();
    let app = test::init_service(App::new().configure(configure(s))).await;
    let first = test::call_service(&app, post(attest_body(&sig(1), &c))).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first = test::read_body(first).await;
    for _ in 0..2 {
        let again = test::call_service(&app, post(attest_body(&sig(1), &c))).await;
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(test::read_body(again).await, first);
    }
    let receipt: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(receipt["receipt"]["amount"], "2500");
    assert_eq!(receipt["receipt"]["commitment"], c);

    // Another commitment for that transaction: refused, 4xx memo-mismatch.
    let other = fr_to_hex(&commitment(&Fr::from(43u64)));
    let resp = test::call_service(&app, post(attest_body(&sig(1), &other))).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = test::read_body_json(resp).await;
    assert!(
        v["type"].as_str().unwrap().ends_with("memo-mismatch"),
        "{v}"
    );

    // Two x402-zk memos: refused.
    let resp = test::call_service(&app, post(attest_body(&sig(2), &c))).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = test::read_body_json(resp).await;
    assert!(
        v["type"].as_str().unwrap().ends_with("multiple-memos"),
        "{v}"
    );
}

#[actix_web::test]
async fn rate_limit_answers_429_json_with_retry_after_per_client_ip() {
    let s = try_state(
        "limit",
        DEAD_RPC,
        &[
            "--rate-limit-per-minute",
            "3",
            "--trusted-proxies",
            "10.0.0.9",
        ],
    )
    .unwrap();
    s.chain.record(Ok(()));
    let app = test::init_service(App::new().configure(configure(s.clone()))).await;
    let attest = |peer: &str, xff: Option<&str>| {
        let mut r = test::TestRequest::post()
            .uri("/v1/attest")
            .peer_addr(format!("{peer}:40000").parse().unwrap())
            .set_json(
                json!({"txSignature": "x", "commitment": "0x01", "payTo": PAY_TO, "asset": SOL}),
            );
        if let Some(x) = xff {
            r = r.insert_header(("x-forwarded-for", x));
        }
        r.to_request()
    };
    for _ in 0..3 {
        let resp = test::call_service(&app, attest("192.0.2.1", None)).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST); // malformed, but not limited
    }
    let resp = test::call_service(&app, attest("192.0.2.1", None)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let retry: u64 = resp
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    let v: Value = test::read_body_json(resp).await;
    assert_eq!(v["status"], 429);
    assert!(v["type"].as_str().unwrap().ends_with("rate-limited"), "{v}");
    assert_eq!(v["retryAfter"], retry);
    // The limit is per client: across /verify and /settle too, and not for another address.
    for path in ["/verify", "/settle"] {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(path)
                .peer_addr("192.0.2.1:40000".parse().unwrap())
                .set_json(request(payload(256, "0x05")))
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
    }
    assert_eq!(
        test::call_service(&app, attest("192.0.2.2", None))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    // X-Forwarded-For counts only from a trusted proxy.
    for _ in 0..3 {
        let r = test::call_service(&app, attest("10.0.0.9", Some("198.51.100.1"))).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
    let r = test::call_service(&app, attest("10.0.0.9", Some("198.51.100.1"))).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let r = test::call_service(&app, attest("10.0.0.9", Some("198.51.100.2"))).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // An untrusted peer cannot pick its identity with the header.
    for n in 0..4 {
        let r =
            test::call_service(&app, attest("192.0.2.3", Some(&format!("203.0.113.{n}")))).await;
        let limited = r.status() == StatusCode::TOO_MANY_REQUESTS;
        assert_eq!(limited, n == 3, "request {n}");
    }
    assert_eq!(
        s.metrics
            .get("facilitator_attest_total", "result", "rate-limited"),
        3
    );
    assert_eq!(
        s.metrics
            .get("facilitator_verify_total", "result", "rate_limited"),
        1
    );
}

#[actix_web::test]
async fn max_age_above_the_chain_cap_is_refused_without_sending() {
    let (body, _) = paid_request(PAY_TO, 1_000, 4); // maxAge 600
    let (s, chain, _) = fake_state("agecap", &[]).await;
    // The chain lowers its cap to 300 s.
    chain.lock().unwrap().accounts.insert(
        config_address(),
        config_account(|c| c.max_receipt_age_seconds = 300),
    );
    assert!(s.chain.check(&s.rpc).await);
    assert_eq!(s.chain.max_receipt_age(), Some(300));
    let app = test::init_service(App::new().configure(configure(s.clone()))).await;
    let post = |path: &str| {
        test::TestRequest::post()
            .uri(path)
            .set_json(body.clone())
            .to_request()
    };
    let v: Value = test::call_and_read_body_json(&app, post("/verify")).await;
    assert_eq!(v["isValid"], false, "{v}");
    assert_eq!(v["invalidReason"], "max_age_above_chain_cap", "{v}");
    assert!(
        v["invalidMessage"].as_str().unwrap().contains("600")
            && v["invalidMessage"].as_str().unwrap().contains("300"),
        "{v}"
    );
    let r: Value = test::call_and_read_body_json(&app, post("/settle")).await;
    assert_eq!(r["success"], false, "{r}");
    assert_eq!(r["errorReason"], "max_age_above_chain_cap", "{r}");
    assert_eq!(r["transaction"], "");
    assert_eq!(chain.lock().unwrap().sends, 0);
    assert_eq!(
        s.metrics.get(
            "facilitator_verify_total",
            "result",
            "max_age_above_chain_cap"
        ),
        1
    );
    // /supported advertises the cap, not the larger --max-age.
    let sup: Value = test::call_and_read_body_json(
        &app,
        test::TestRequest::get().uri("/supported").to_request(),
    )
    .await;
    assert_eq!(sup["kinds"][0]["extra"]["maxAge"], 300, "{sup}");

    // At the cap exactly: accepted.
    chain.lock().unwrap().accounts.insert(
        config_address(),
        config_account(|c| c.max_receipt_age_seconds = 600),
    );
    assert!(s.chain.check(&s.rpc).await);
    let v: Value = test::call_and_read_body_json(&app, post("/verify")).await;
    assert_eq!(v["isValid"], true, "{v}");
}

/// A nullifier account's data as the program writes it.
fn nullifier_data(expires_at: i64, rent_payer: &Pubkey) -> Vec<u8> {
    use anchor_client::anchor_lang::AccountSerialize;
    let mut data = Vec::new();
    x402_zk_verifier::state::Nullifier {
        expires_at,
        rent_payer: *rent_payer,
    }
    .try_serialize(&mut data)
    .unwrap();
    data
}

#[actix_web::test]
async fn the_sweeper_closes_this_fee_payers_expired_nullifiers_in_bounded_transactions() {
    use solana_signer::Signer;
    use x402_zk_facilitator::sweep::sweep_once;
    let (s, chain, _) = fake_state(
        "sweep",
        &["--sweep-interval-secs", "0", "--sweep-max-per-tx", "8"],
    )
    .await;
    let me = s.fee_payer.pubkey();
    let other = Pubkey::new_from_array([77; 32]);
    let now = 1_800_000_000i64;
    let addr = |i: u32| {
        let mut b = [0u8; 32];
        b[..4].copy_from_slice(&i.to_le_bytes());
        b[31] = 1;
        Pubkey::new_from_array(b).to_string()
    };
    {
        let mut c = chain.lock().unwrap();
        let mut put = |i: u32, owner: &str, data: Vec<u8>| {
            c.accounts.insert(addr(i), (owner.to_string(), data));
        };
        for i in 0..20 {
            put(i, PROGRAM_ID, nullifier_data(now - 100 - i64::from(i), &me)); // expired
        }
        for i in 20..23 {
            put(i, PROGRAM_ID, nullifier_data(now + 100, &me)); // not yet
        }
        put(23, PROGRAM_ID, nullifier_data(now - 5, &me)); // inside the grace: not yet
        put(24, PROGRAM_ID, nullifier_data(now - 100, &other)); // someone else's rent
        put(25, PROGRAM_ID, nullifier_data(now - 100, &other));
        put(26, SOL, nullifier_data(now - 100, &me)); // not the program's
    }
    let r = sweep_once(&s, now).await;
    assert_eq!(
        (r.open, r.expired, r.closed, r.errors),
        (Some(24), 20, 20, 0),
        "{r:?}"
    );
    assert_eq!(r.lamports_locked, 24 * NULLIFIER_RENT);
    assert_eq!(r.lamports_returned, 20 * NULLIFIER_RENT);
    {
        let c = chain.lock().unwrap();
        assert_eq!(c.sends, 3, "8 + 8 + 4 pairs");
        for i in 0..20 {
            assert!(!c.accounts.contains_key(&addr(i)), "{i} not closed");
        }
        for i in 20..27 {
            assert!(c.accounts.contains_key(&addr(i)), "{i} closed");
        }
    }
    let m = &s.metrics;
    assert_eq!(m.total("facilitator_nullifiers_closed_total"), 20);
    assert_eq!(m.gauge("facilitator_nullifiers_open"), Some(4));
    assert_eq!(
        m.gauge("facilitator_nullifier_lamports_locked"),
        Some(4 * NULLIFIER_RENT)
    );

    // Nothing left to close: a scan, no transaction.
    let r = sweep_once(&s, now).await;
    assert_eq!((r.open, r.expired, r.closed), (Some(4), 0, 0));
    assert_eq!(chain.lock().unwrap().sends, 3);

    // A refused transaction: counted and logged, the accounts stay, the sweeper carries on.
    chain.lock().unwrap().send_error = Some(json!({"code": -32002,
        "message": "Transaction simulation failed", "data": {"logs": [
            "Program log: AnchorError occurred. Error Code: NullifierNotExpired. Error Number: 6022. Error Message: This nullifier has not expired yet."]}}));
    let r = sweep_once(&s, now + 200).await;
    assert_eq!((r.expired, r.closed, r.errors), (4, 0, 1), "{r:?}");
    assert_eq!(m.get("facilitator_sweep_errors_total", "stage", "close"), 1);
    assert_eq!(m.gauge("facilitator_nullifiers_open"), Some(4));

    // An unreachable RPC: a scan error, gauges keep their last value.
    let dead = try_state("sweep-dead", DEAD_RPC, &["--sweep-interval-secs", "0"]).unwrap();
    let r = sweep_once(&dead, now).await;
    assert_eq!((r.open, r.errors), (None, 1));
    assert_eq!(
        dead.metrics
            .get("facilitator_sweep_errors_total", "stage", "scan"),
        1
    );
    assert_eq!(dead.metrics.gauge("facilitator_nullifiers_open"), None);
}

#[actix_web::test]
async fn the_sweeper_runs_on_its_interval_and_shows_in_metrics() {
    use solana_signer::Signer;
    let (url, chain) = start_fake_rpc();
    chain
        .lock()
        .unwrap()
        .accounts
        .insert(config_address(), config_account(|_| {}));
    let s = try_state("sweep-timer", &url, &["--sweep-interval-secs", "1"]).unwrap();
    let me = s.fee_payer.pubkey();
    chain.lock().unwrap().accounts.insert(
        Pubkey::new_from_array([5; 32]).to_string(),
        (PROGRAM_ID.to_string(), nullifier_data(1_000, &me)),
    );
    let (port, handle) = x402_zk_facilitator::app::spawn_local(s.clone()).unwrap();
    let mut text = String::new();
    for _ in 0..50 {
        text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains("facilitator_nullifiers_closed_total 1\n") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        text.contains("facilitator_nullifiers_closed_total 1\n"),
        "{text}"
    );
    // A later tick saw nothing open.
    for _ in 0..30 {
        if s.metrics.gauge("facilitator_nullifiers_open") == Some(0) {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(s.metrics.gauge("facilitator_nullifiers_open"), Some(0));
    assert_eq!(chain.lock().unwrap().sends, 1);
    handle.stop(false).await;
}

#[actix_web::test]
async fn sweep_flags_defaults_and_range() {
    let base = base_flags();
    let parse = |extra: &[&str]| Config::try_parse_from(base.iter().chain(extra).copied());
    let c = parse(&[]).unwrap();
    assert_eq!((c.sweep_interval_secs, c.sweep_max_per_tx), (60, 8));
    let c = parse(&["--sweep-interval-secs", "0", "--sweep-max-per-tx", "24"]).unwrap();
    assert_eq!((c.sweep_interval_secs, c.sweep_max_per_tx), (0, 24));
    for bad in [
        "--sweep-max-per-tx=0",
        "--sweep-max-per-tx=25",
        "--sweep-interval-secs=-1",
    ] {
        let err = parse(&[bad]).expect_err(bad);
        assert!(
            err.to_string().contains(bad.split('=').next().unwrap()),
            "{bad}: {err}"
        );
    }
}

/// A browser payer's page (the merchant's origin) calls the attester: the attester answers CORS for
/// any origin, on success, refusal and preflight alike; the server-to-server routes do not.
#[actix_web::test]
async fn the_attester_answers_cors_for_browser_payers_and_verify_settle_do_not() {
    let app = test::init_service(App::new().configure(configure(state("cors")))).await;
    let origin = ("Origin", "http://127.0.0.1:4021");
    let acao = |resp: &actix_web::dev::ServiceResponse| {
        resp.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string())
    };

    let pre = test::call_service(
        &app,
        test::TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/v1/attest")
            .insert_header(origin)
            .insert_header(("Access-Control-Request-Method", "POST"))
            .insert_header(("Access-Control-Request-Headers", "content-type"))
            .to_request(),
    )
    .await;
    assert_eq!(pre.status(), StatusCode::NO_CONTENT);
    assert_eq!(acao(&pre).as_deref(), Some("*"));
    let allow = |name: &str| {
        pre.headers()
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string()
    };
    assert!(allow("access-control-allow-methods").contains("POST"));
    assert!(allow("access-control-allow-headers").contains("content-type"));

    // A refused attestation (malformed body) is still readable by the page: CORS on errors too.
    let bad = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/v1/attest")
            .insert_header(origin)
            .insert_header(("content-type", "application/json"))
            .set_payload("{not json")
            .to_request(),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(acao(&bad).as_deref(), Some("*"));

    for path in ["/verify", "/settle"] {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(path)
                .insert_header(origin)
                .set_json(json!({}))
                .to_request(),
        )
        .await;
        assert_eq!(acao(&resp), None, "{path} must not answer CORS");
        let pre = test::call_service(
            &app,
            test::TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri(path)
                .insert_header(origin)
                .to_request(),
        )
        .await;
        assert_eq!(acao(&pre), None, "{path} preflight must not be granted");
    }
}

/// The served app records HTTP requests by route pattern and status, reads the fee payer's balance
/// (at start-up, then with every chain config check) and exports the process metrics and the
/// configured memory limit.
#[actix_web::test]
async fn metrics_record_http_requests_the_fee_payer_balance_and_the_process() {
    let (url, chain) = start_fake_rpc();
    chain
        .lock()
        .unwrap()
        .accounts
        .insert(config_address(), config_account(|_| {}));
    let s = try_state("metrics-http", &url, &["--memory-limit-bytes", "123456789"]).unwrap();
    let (port, handle) = x402_zk_facilitator::app::spawn_local(s.clone()).unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        status(http.get(format!("{base}/supported")).send().await.unwrap()),
        200
    );
    let bad = http
        .post(format!("{base}/verify"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(status(bad), 400);
    assert_eq!(
        status(http.get(format!("{base}/nowhere")).send().await.unwrap()),
        404
    );
    let mut text = String::new();
    for _ in 0..50 {
        text = http
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains("facilitator_fee_payer_balance_lamports 4000000000\n") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    for line in [
        "facilitator_fee_payer_balance_lamports 4000000000\n",
        "http_requests_total{method=\"GET\",route=\"/supported\",status=\"200\"} 1\n",
        "http_requests_total{method=\"POST\",route=\"/verify\",status=\"400\"} 1\n",
        "http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n",
        "http_request_duration_seconds_count{method=\"GET\",route=\"/supported\"} 1\n",
        "process_memory_limit_bytes 123456789\n",
        "service=\"x402-zk-facilitator\"} 1\n",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    assert!(text.contains("\nprocess_cpu_seconds_total "), "{text}");
    assert!(text.contains("\nprocess_resident_memory_bytes "), "{text}");
    handle.stop(false).await;
}

/// `POST` `body` to the facilitator on `port`; the status, `Retry-After` and the JSON body (panics
/// on a non-JSON answer), and how long the answer took.
async fn post_json(port: u16, path: &str, body: &Value) -> (u16, Option<String>, Value, Duration) {
    let t0 = std::time::Instant::now();
    let resp = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}{path}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{path}: non-JSON answer {status}: {text}"));
    (status, retry, json, t0.elapsed())
}

/// The value of the sample line `series` in the facilitator's `/metrics` on `port`.
async fn scrape(port: u16, series: &str) -> f64 {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{series} not in /metrics"))
}

/// Polls until `/metrics` shows `n` requests in flight (10 s at most).
async fn wait_in_flight(port: u16, n: f64) {
    for _ in 0..200 {
        if scrape(port, "facilitator_in_flight_requests").await == n {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "in flight never became {n}: {}",
        scrape(port, "facilitator_in_flight_requests").await
    );
}

#[actix_web::test]
async fn beyond_max_in_flight_the_running_facilitator_answers_503_overloaded_at_once() {
    const MAX: usize = 2;
    let (s, chain, _) = fake_state("admission", &["--max-in-flight", "2"]).await;
    // Every settlement's sendTransaction takes 1.5 s: the admitted requests hold their slots.
    chain.lock().unwrap().send_delay = Duration::from_millis(1500);
    let (port, handle) = x402_zk_facilitator::app::spawn_local(s.clone()).unwrap();
    assert_eq!(scrape(port, "facilitator_in_flight_limit").await, 2.0);
    assert_eq!(scrape(port, "facilitator_in_flight_requests").await, 0.0);
    let payments: Vec<Value> = (0..4)
        .map(|i| paid_request(PAY_TO, 1_000, 40 + i).0)
        .collect();

    // MAX settlements of distinct payments take every slot…
    let admitted: Vec<_> = payments[..MAX]
        .iter()
        .map(|b| {
            let b = b.clone();
            actix_web::rt::spawn(async move { post_json(port, "/settle", &b).await })
        })
        .collect();
    wait_in_flight(port, MAX as f64).await;
    // …and 8 more requests at once, 2 per limited route, are the excess: each refused at once.
    let attest = attest_body(&bs58::encode([5u8; 64]).into_string(), "0x01");
    let excess = [
        ("/verify", payments[2].clone()),
        ("/settle", payments[2].clone()),
        ("/v1/settlement", payments[0].clone()),
        ("/v1/attest", attest.clone()),
    ];
    let answers = futures_util::future::join_all(
        excess
            .iter()
            .chain(excess.iter())
            .map(|(path, body)| async move { (*path, post_json(port, path, body).await) }),
    )
    .await;
    let word = "overloaded";
    for (path, (status, retry, body, took)) in &answers {
        assert_eq!(*status, 503, "{path}: {body}");
        let secs: u64 = retry.as_deref().expect("Retry-After").parse().unwrap();
        assert!(secs >= 1, "{path}: Retry-After {secs}");
        assert!(
            *took < Duration::from_millis(1000),
            "{path}: refused after {took:?}, not at once"
        );
        match *path {
            "/verify" => {
                assert_eq!(body["isValid"], false, "{body}");
                assert_eq!(body["invalidReason"], word, "{body}");
            }
            "/settle" => {
                assert_eq!(body["success"], false, "{body}");
                assert_eq!(body["errorReason"], word, "{body}");
                assert_eq!(body["transaction"], "", "{body}");
            }
            _ => {
                assert_eq!(body["type"], "urn:x402-zk:problem:overloaded", "{body}");
                assert_eq!(body["reason"], word, "{body}");
                assert_eq!(body["status"], 503, "{body}");
            }
        }
    }
    // The unlimited routes answer meanwhile.
    for path in ["/health", "/supported", "/openapi.json"] {
        let r = reqwest::get(format!("http://127.0.0.1:{port}{path}"))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path} during the burst");
    }
    // The admitted ones complete normally: settled, one transaction each.
    for a in admitted {
        let (status, _, body, _) = a.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["success"], true, "{body}");
        assert!(!body["transaction"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        chain.lock().unwrap().sends,
        MAX,
        "the refused settle sent nothing"
    );
    wait_in_flight(port, 0.0).await;
    for route in ["/verify", "/settle", "/v1/settlement", "/v1/attest"] {
        let series = format!("facilitator_admission_refusals_total{{route=\"{route}\"}}");
        assert_eq!(scrape(port, &series).await, 2.0, "{series}");
    }
    assert_eq!(
        scrape(port, "facilitator_settle_total{result=\"overloaded\"}").await,
        2.0
    );

    // After the burst a new request is admitted: the refused payment settles now.
    let (status, _, body, _) = post_json(port, "/settle", &payments[2]).await;
    assert_eq!((status, &body["success"]), (200, &json!(true)), "{body}");

    // A client that goes away mid-settlement frees its slot: actix runs the handler to its end (so the
    // settlement and its claim finish; measured: freed 1.2 s after a client gave up at 0.3 s of a
    // 1.5 s settlement), then the permit is dropped…
    let gone = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .post(format!("http://127.0.0.1:{port}/settle"))
        .json(&payments[3])
        .send()
        .await;
    assert!(gone.is_err(), "the client gave up before the answer");
    wait_in_flight(port, 0.0).await;
    // …and so do admitted requests that fail: a refused transaction, a malformed body.
    chain.lock().unwrap().send_error = Some(json!({"code": -32002, "message": "preflight failed"}));
    let fresh = paid_request(PAY_TO, 1_000, 50).0;
    let (status, _, body, _) = post_json(port, "/settle", &fresh).await;
    assert_ne!(status, 503, "{body}");
    assert_eq!(body["success"], false, "{body}");
    let (status, _, _, _) = post_json(port, "/verify", &json!({"not": "a payment"})).await;
    assert_eq!(status, 400);
    wait_in_flight(port, 0.0).await;
    // MAX at once are admitted again (nothing leaked): two /verify of a spent payment.
    let again =
        futures_util::future::join_all((0..MAX).map(|_| post_json(port, "/verify", &payments[0])))
            .await;
    for (status, _, body, _) in again {
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["invalidReason"], "nullifier_already_used", "{body}");
    }
    // The process is alive and healthy.
    let h: Value = reqwest::get(format!("http://127.0.0.1:{port}/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    handle.stop(false).await;
}

#[actix_web::test]
async fn max_in_flight_zero_is_unlimited() {
    let s = try_state("admission-off", DEAD_RPC, &["--max-in-flight", "0"]).unwrap();
    s.chain.record(Ok(()));
    assert_eq!(s.admission.max(), 0);
    let held: Vec<_> = (0..10_000)
        .map(|_| s.admission.try_admit().unwrap())
        .collect();
    let app = test::init_service(App::new().configure(configure(s.clone()))).await;
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/verify")
            .set_json(json!({"not": "a payment"}))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    drop(held);
}

#[actix_web::test]
async fn a_client_that_trickles_its_body_holds_no_slot() {
    // The slot is taken after the body is read: slow senders (or a slow-loris) cannot fill the
    // admission limit; only the work after the body counts.
    let s = try_state("admission-slow", DEAD_RPC, &["--max-in-flight", "1"]).unwrap();
    s.chain.record(Ok(()));
    let (port, handle) = x402_zk_facilitator::app::spawn_local(s.clone()).unwrap();
    let mut slow = Vec::new();
    for _ in 0..3 {
        use std::io::Write;
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.write_all(
            b"POST /verify HTTP/1.1\r\nHost: f\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"x402Version\": 2, ",
        )
        .unwrap();
        slow.push(c);
    }
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.admission.in_flight(), 0, "half-sent bodies hold no slot");
    let (status, _, body, _) = post_json(port, "/verify", &request(payload(256, "0x01"))).await;
    assert_eq!(status, 200, "admitted while 3 bodies trickle: {body}");
    assert_eq!(body["isValid"], false, "{body}");
    drop(slow);
    handle.stop(false).await;
}
