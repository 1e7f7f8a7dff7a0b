//! `GET /v1/proving-key`: the receipt proving key for clients that prove locally (issue #16), so the
//! payer's secret never leaves it.
//!
//! The body is the `receipt.pk` file as `x402-zk keys` or the ceremony wrote it
//! (`application/octet-stream`), with `ETag: "<sha256 of the bytes>"` (`If-None-Match` → 304) and
//! `X-Vk-Hash: 0x…`, `SolanaVk::sha256` of the verifying key inside it. Both headers are
//! informational: a client recomputes the hash from the key it parsed (`ReceiptProver.vkHash()`) and
//! compares it with the on-chain `Config.vk_hash`; it never trusts this server's word.
//!
//! At start-up the file is parsed and its verifying key must equal the one this facilitator verifies
//! with: a mismatched key would only produce proofs that are refused. Not configured: 404
//! problem+json `proving-key-not-configured`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use x402_zk_circuits::groth16::{VerifierKey, PK_FILE};
use x402_zk_circuits::ProvingKeys;

use crate::app::State;

/// The route's path.
pub const PATH: &str = "/v1/proving-key";

/// The proving key file, loaded and checked once.
pub struct ProvingKeyFile {
    bytes: web::Bytes,
    /// `"<hex sha256 of the bytes>"` (quoted, as the header carries it).
    etag: String,
    /// `0x` + hex `SolanaVk::sha256` of the embedded verifying key.
    vk_hash: String,
    /// Where it was read from (logged at start-up).
    pub path: PathBuf,
}

impl ProvingKeyFile {
    /// Reads and parses `path`; its verifying key must equal `vk`.
    pub fn load(path: &Path, vk: &VerifierKey) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("proving key {}: {e}", path.display()))?;
        let keys = ProvingKeys::from_pk_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("proving key {}: {e}", path.display()))?;
        if keys.pk.vk != vk.vk {
            anyhow::bail!(
                "proving key {} does not belong to the verifying key (--verifying-key): clients would make proofs this facilitator refuses",
                path.display()
            );
        }
        Ok(ProvingKeyFile {
            etag: format!("\"{}\"", hex::encode(Sha256::digest(&bytes))),
            vk_hash: format!(
                "0x{}",
                hex::encode(crate::chain_config::vk_sha256(&keys.pk.vk))
            ),
            bytes: web::Bytes::from(bytes),
            path: path.to_path_buf(),
        })
    }

    /// The file's size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True for an empty file (never: parsing would have failed).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// `--proving-key`, else `receipt.pk` next to the verifying key file when it exists.
pub fn resolve_path(flag: Option<&Path>, verifying_key: &Path) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    let beside = verifying_key
        .parent()
        .unwrap_or(Path::new("."))
        .join(PK_FILE);
    beside.is_file().then_some(beside)
}

/// `GET /v1/proving-key`.
#[utoipa::path(get, path = "/v1/proving-key", tag = "attester",
    params(("If-None-Match" = Option<String>, Header, description = "ETag of a copy already held")),
    responses(
        (status = 200, description = "The proving key (arkworks, compressed); ETag and X-Vk-Hash headers", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 404, description = "proving-key-not-configured", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 405, description = "Method not allowed (Allow: GET, OPTIONS)", content_type = "application/problem+json", body = crate::openapi::Problem),
    ))]
pub async fn route(state: web::Data<Arc<State>>, req: HttpRequest) -> HttpResponse {
    let Some(pk) = &state.proving_key else {
        return crate::app::problem(
            StatusCode::NOT_FOUND,
            "proving-key-not-configured",
            "this facilitator serves no proving key (start it with --proving-key, or put receipt.pk next to the verifying key)".into(),
        );
    };
    let etag = HeaderValue::from_str(&pk.etag).expect("hex is a valid header value");
    let vk_hash = HeaderValue::from_str(&pk.vk_hash).expect("hex is a valid header value");
    // Keys change only with a new ceremony: revalidate every time, download only on change.
    let cache = HeaderValue::from_static("no-cache");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == pk.etag || t.trim() == "*"));
    if matches {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header(("X-Vk-Hash", vk_hash))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((header::ETAG, etag))
        .insert_header(("X-Vk-Hash", vk_hash))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(pk.bytes.clone())
}
