//! `GET /v1/proving-key` (issue #16): the facilitator serves the `receipt.pk` bytes for clients that
//! prove locally, with `ETag` = sha256 of the bytes, `X-Vk-Hash` = `SolanaVk::sha256`, CORS for
//! browsers, 304 on `If-None-Match`, and `provingKeyUrl` in `/supported`; 404 problem+json when no
//! key is configured; a key that does not belong to `--verifying-key` stops the start-up.
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use actix_web::{http::StatusCode, test, App};
use clap::Parser;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use x402_zk_circuits::groth16::{PK_FILE, VK_FILE};
use x402_zk_circuits::ProvingKeys;
use x402_zk_facilitator::app::{configure, State};
use x402_zk_facilitator::chain_config::vk_sha256;
use x402_zk_facilitator::config::Config;

const PROGRAM_ID: &str = "FjbRuvYkp2RZi2NwskuBh8aU6zp8eSsv4NsBDvL6Lrne";
const PAY_TO: &str = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";

fn keys() -> &'static ProvingKeys {
    static KEYS: OnceLock<ProvingKeys> = OnceLock::new();
    KEYS.get_or_init(|| ProvingKeys::dev_setup_deterministic().unwrap())
}

/// A fresh directory with the attester key, the fee payer and `receipt.vk` (and `receipt.pk`
/// when `with_pk`).
fn key_dir(name: &str, with_pk: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "x402-zk-facilitator-pk-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    if with_pk {
        keys().save(&dir).unwrap();
    } else {
        std::fs::create_dir_all(&dir).unwrap();
        keys().verifier.save(&dir.join(VK_FILE)).unwrap();
    }
    std::fs::write(
        dir.join("attester.json"),
        json!({ "secretKey": hex::encode([7u8; 32]) }).to_string(),
    )
    .unwrap();
    let fee_payer = solana_keypair::Keypair::new_from_array([9u8; 32]).to_bytes();
    std::fs::write(
        dir.join("fee-payer.json"),
        serde_json::to_string(&fee_payer.to_vec()).unwrap(),
    )
    .unwrap();
    dir
}

fn try_state(dir: &Path, extra: &[&str]) -> anyhow::Result<Arc<State>> {
    let d = |f: &str| dir.join(f).display().to_string();
    let mut args: Vec<String> = [
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
        &d(VK_FILE),
        "--allow-dev-keys",
        "--pay-to",
        PAY_TO,
        "--public-url",
        "https://facilitator.example/",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    State::from_config(&Config::parse_from(args))
}

async fn get(
    state: Arc<State>,
    uri: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, actix_web::http::header::HeaderMap, Vec<u8>) {
    let app = test::init_service(App::new().configure(configure(state))).await;
    let mut req = test::TestRequest::get().uri(uri);
    if let Some(tag) = if_none_match {
        req = req.insert_header(("If-None-Match", tag));
    }
    let resp = test::call_service(&app, req.to_request()).await;
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, test::read_body(resp).await.to_vec())
}

fn hdr<'a>(h: &'a actix_web::http::header::HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

fn provingkey_url(supported: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(supported).unwrap();
    v["kinds"][0]["extra"]["provingKeyUrl"]
        .as_str()
        .map(str::to_string)
}

#[actix_web::test]
async fn serves_the_key_file_with_etag_vk_hash_and_cors() {
    // Explicit flag, the key in another directory than the verifying key.
    let pk_dir = key_dir("flag-pk", true);
    let dir = key_dir("flag", false);
    let pk_path = pk_dir.join(PK_FILE);
    let want = std::fs::read(&pk_path).unwrap();
    let state = try_state(&dir, &["--proving-key", &pk_path.display().to_string()]).unwrap();
    std::fs::remove_dir_all(&pk_dir).unwrap(); // read once, at start-up

    let (status, h, body) = get(state.clone(), "/v1/proving-key", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body == want, "the body is the receipt.pk file");
    assert_eq!(hdr(&h, "content-type"), "application/octet-stream");
    let etag = format!("\"{}\"", hex::encode(Sha256::digest(&want)));
    assert_eq!(hdr(&h, "etag"), etag.as_str());
    let vk_hash = format!("0x{}", hex::encode(vk_sha256(&keys().verifier.vk)));
    assert_eq!(hdr(&h, "x-vk-hash"), vk_hash.as_str());
    assert_eq!(hdr(&h, "access-control-allow-origin"), "*");
    assert!(hdr(&h, "access-control-expose-headers").contains("X-Vk-Hash"));

    // Revalidation: the same ETag gets 304 and no body; another gets the bytes.
    let (status, h, body) = get(state.clone(), "/v1/proving-key", Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(hdr(&h, "etag"), etag.as_str());
    let (status, _, body) = get(state.clone(), "/v1/proving-key", Some("\"other\"")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.len(), want.len());

    // Advertised under the public URL.
    let (_, _, supported) = get(state.clone(), "/supported", None).await;
    assert_eq!(
        provingkey_url(&supported).as_deref(),
        Some("https://facilitator.example/v1/proving-key")
    );

    // Other methods: 405 problem+json.
    let app = test::init_service(App::new().configure(configure(state))).await;
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/v1/proving-key")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[actix_web::test]
async fn default_is_receipt_pk_beside_the_verifying_key() {
    let dir = key_dir("beside", true);
    let state = try_state(&dir, &[]).unwrap();
    let (status, _, body) = get(state, "/v1/proving-key", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body == std::fs::read(dir.join(PK_FILE)).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[actix_web::test]
async fn not_configured_is_404_problem_json_and_not_advertised() {
    let dir = key_dir("none", false);
    let state = try_state(&dir, &[]).unwrap();
    let (status, h, body) = get(state.clone(), "/v1/proving-key", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(hdr(&h, "content-type"), "application/problem+json");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        v["type"]
            .as_str()
            .unwrap()
            .ends_with("proving-key-not-configured"),
        "{v}"
    );
    assert_eq!(v["status"], 404);
    let (_, _, supported) = get(state, "/supported", None).await;
    assert_eq!(provingkey_url(&supported), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[actix_web::test]
async fn a_key_of_another_setup_or_a_corrupt_file_stops_the_start_up() {
    use rand::{rngs::StdRng, SeedableRng};
    let dir = key_dir("mismatch", false);
    let other = ProvingKeys::dev_setup(&mut StdRng::seed_from_u64(1)).unwrap();
    let other_dir = dir.join("other");
    other.save(&other_dir).unwrap();
    let flag = other_dir.join(PK_FILE).display().to_string();
    let err = try_state(&dir, &["--proving-key", &flag]).err().unwrap();
    assert!(err.to_string().contains("does not belong"), "{err}");

    let mut bytes = std::fs::read(other_dir.join(PK_FILE)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(other_dir.join(PK_FILE), &bytes).unwrap();
    let err = try_state(&dir, &["--proving-key", &flag]).err().unwrap();
    assert!(err.to_string().contains("checksum"), "{err}");

    let missing = dir.join("missing.pk").display().to_string();
    assert!(try_state(&dir, &["--proving-key", &missing]).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
