//! Routes and server lifecycle. Every error is JSON: x402 endpoints answer in the x402 shapes
//! (`isValid:false` / `success:false` with a stable reason), the attester in problem+json.
//!
//! `/verify`, `/settle`, `/v1/settlement` and `/v1/attest` are rate limited per client IP (the service kit's limiter, shared with the prover, and
//! 429 problem+json with `Retry-After`); once their body is read, at most `--max-in-flight` of them
//! work at once ([`crate::admission::enter`]: beyond it 503 `overloaded` with `Retry-After`). `/verify` and `/settle` answer 503 `config_mismatch` while
//! the chain config guard ([`crate::chain_config`]) is closed.
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::groth16::VerifierKey;
use x402_zk_service_kit::clock::unix_now;
use x402_zk_service_kit::limits::{self, client_ip, RateLimiter};
use x402_zk_service_kit::problem::Problem;

use crate::admission::Admission;
use crate::attester::{pubkey_bytes, AttestRequest, AttesterService};
use crate::batch::{BatchConfig, Batcher};
use crate::chain_config::{attester_bytes, vk_sha256, ChainGuard, Expected};
use crate::claims::NullifierClaims;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::rpc::{RpcOptions, RpcPool};
use crate::settle::{nullifier_spent, settle, Settled};
use crate::sweep::SweepConfig;
use crate::verify::{check_payment, Policy};
use crate::x402::{
    FacilitatorRequest, Reason, SettleResponse, SupportedKind, SupportedResponse, VerifyResponse,
    SCHEME, X402_VERSION,
};

/// Largest request body accepted (a payment payload is ~1 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// While the chain config guard is closed, `Config` is re-read at least this often.
pub const CONFIG_RETRY: Duration = Duration::from_secs(2);

pub struct State {
    pub policy: Policy,
    /// Settlement RPC endpoints: primary, then fallbacks.
    pub rpc: RpcPool,
    /// Endpoints trusted for reading the transactions the attester signs for.
    pub attest_rpc: RpcPool,
    pub attester: AttesterService,
    pub fee_payer: Keypair,
    pub metrics: Metrics,
    /// In-flight and burned nullifiers of this process.
    pub claims: NullifierClaims,
    /// Agreement with the on-chain `Config`.
    pub chain: ChainGuard,
    /// Per-client-IP limit on `/verify`, `/settle` and `/v1/attest`.
    pub limiter: RateLimiter,
    /// Most requests in the limited routes at once (`--max-in-flight`).
    pub admission: Admission,
    pub trusted_proxies: Vec<IpAddr>,
    /// Advertised in `/supported` as `attesterUrl`.
    pub public_url: String,
    /// Advertised in `/supported` as `proverUrl`, when set.
    pub prover_url: Option<String>,
    /// Advertised in `/supported` as `maxAge`.
    pub max_age: u64,
    /// Served at `GET /v1/proving-key` and advertised as `provingKeyUrl`, when configured.
    pub proving_key: Option<crate::proving_key::ProvingKeyFile>,
    pub config_check_interval: Duration,
    /// Settlement batching, when configured (`--batch-max` > 1).
    pub batch: Option<BatchConfig>,
    /// The batch queue; started by [`serve`] / [`spawn_local`] on the server's runtime.
    pub batcher: OnceLock<Batcher>,
    /// The nullifier sweeper's settings (`None` or a zero interval: off).
    pub sweep: Option<SweepConfig>,
    /// Merchant `Policy` accounts known to exist on chain.
    pub policies: crate::policy_account::PolicyCache,
}

impl State {
    /// Starts the batch collector if batching is configured and not started yet.
    pub fn start_batcher(self: &Arc<Self>) {
        if let Some(cfg) = self.batch {
            if cfg.max > 1 && self.batcher.get().is_none() {
                let _ = self.batcher.set(Batcher::start(self, cfg));
            }
        }
    }

    /// Starts the batcher, the nullifier sweeper ([`crate::sweep::start`]) and the upkeep task on
    /// the current runtime: the chain config check (every `config_check_interval`, every
    /// [`CONFIG_RETRY`] at most while it disagrees; the first at once when `check_now`) and the
    /// rate limiter's cleanup. The tasks hold only a weak reference, so they end with the server.
    pub fn start_background(self: &Arc<Self>, check_now: bool) {
        self.start_batcher();
        crate::sweep::start(self);
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut check_now = check_now;
            loop {
                if !check_now {
                    let Some(state) = weak.upgrade() else { return };
                    let wait = if state.chain.ok().is_ok() {
                        state.config_check_interval
                    } else {
                        state.config_check_interval.min(CONFIG_RETRY)
                    };
                    drop(state);
                    tokio::time::sleep(wait).await;
                }
                check_now = false;
                let Some(state) = weak.upgrade() else { return };
                state.chain.check(&state.rpc).await;
                crate::metrics::refresh_fee_payer_balance(&state).await;
                state.limiter.retain_recent();
                state.metrics.run_upkeep();
            }
        });
    }
}

/// A URL flag's value: must parse as http(s).
fn http_url(flag: &str, url: &str) -> anyhow::Result<String> {
    let u = reqwest::Url::parse(url).map_err(|e| anyhow::anyhow!("{flag} {url:?}: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") {
        anyhow::bail!("{flag} {url:?}: must be an http(s) URL");
    }
    Ok(url.trim_end_matches('/').to_string())
}

impl State {
    pub fn from_config(c: &Config) -> anyhow::Result<Arc<State>> {
        let vk = VerifierKey::load(&c.verifying_key)
            .map_err(|e| anyhow::anyhow!("verifying key {}: {e}", c.verifying_key.display()))?;
        if vk.provenance == "dev" && !(c.allow_dev_keys && c.is_local()) {
            anyhow::bail!(
                "verifying key {} has provenance 'dev' (unsafe: its maker can forge proofs); \
                 use ceremony keys, or pass --allow-dev-keys with every RPC URL on this machine \
                 (127.0.0.0/8, ::1 or localhost)",
                c.verifying_key.display()
            );
        }
        let key = load_attester_key(&c.attester_key)?;
        let fee_payer = solana_keypair::read_keypair_file(&c.fee_payer)
            .map_err(|e| anyhow::anyhow!("fee payer keypair {}: {e}", c.fee_payer.display()))?;
        let program_id =
            pubkey_bytes(&c.program_id, "program id").map_err(|e| anyhow::anyhow!(e))?;
        let pay_to = c
            .pay_to
            .iter()
            .map(|a| pubkey_bytes(a.trim(), "--pay-to").map_err(|e| anyhow::anyhow!(e)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if pay_to.is_empty() {
            anyhow::bail!("--pay-to: at least one merchant address (base58) is required");
        }
        let public_url = http_url("--public-url", &c.public_url())?;
        let prover_url = c
            .prover_url
            .as_deref()
            .map(|u| http_url("--prover-url", u))
            .transpose()?;
        for u in c.rpc_urls.iter().chain(&c.attest_rpc_urls) {
            http_url("RPC URL", u)?;
        }
        let proving_key =
            crate::proving_key::resolve_path(c.proving_key.as_deref(), &c.verifying_key)
                .map(|p| crate::proving_key::ProvingKeyFile::load(&p, &vk))
                .transpose()?;
        let expected = Expected {
            attester: attester_bytes(&key.public()),
            vk_hash: vk_sha256(&vk.vk),
            max_clock_skew_seconds: c.max_clock_skew_seconds,
        };
        let state = Arc::new(State {
            policy: Policy {
                network: c.network.clone(),
                program_id,
                attester: key.public(),
                max_clock_skew_seconds: c.max_clock_skew_seconds,
                vk,
                pay_to,
                min_amount: c.min_amount,
            },
            rpc: RpcPool::new(c.rpc_urls.clone(), RpcOptions::default()),
            attest_rpc: RpcPool::new(c.attest_urls(), RpcOptions::default()),
            attester: AttesterService { key },
            fee_payer,
            metrics: Metrics::new(Some(c.memory_limit_bytes)),
            claims: NullifierClaims::default(),
            chain: ChainGuard::new(program_id, expected),
            limiter: RateLimiter::new(c.rate_limit_per_minute, c.rate_limit_window()),
            admission: Admission::new(c.max_in_flight),
            trusted_proxies: c.trusted_proxies.clone(),
            public_url,
            prover_url,
            max_age: c.max_age,
            proving_key,
            config_check_interval: Duration::from_secs(c.config_check_interval_secs),
            batch: Some(BatchConfig {
                max: usize::from(c.batch_max),
                window: std::time::Duration::from_millis(c.batch_window_ms),
            }),
            batcher: OnceLock::new(),
            sweep: Some(SweepConfig {
                interval: Duration::from_secs(c.sweep_interval_secs),
                max_per_tx: usize::from(c.sweep_max_per_tx),
            }),
            policies: Default::default(),
        });
        crate::admission::init_metrics(&state);
        Ok(state)
    }
}

/// Reads an attester key file: JSON `{"secretKey": "<64 hex chars>", ...}` (from `x402-zk attester keygen`) or a bare hex string.
pub fn load_attester_key(path: &std::path::Path) -> anyhow::Result<Attester> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("attester key {}: {e}", path.display()))?;
    let hex_str = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => v["secretKey"]
            .as_str()
            .or_else(|| v["secret"].as_str())
            .ok_or_else(|| {
                anyhow::anyhow!("attester key {}: no \"secretKey\" field", path.display())
            })?
            .to_string(),
        Err(_) => text.trim().to_string(),
    };
    let bytes = hex::decode(hex_str.trim_start_matches("0x"))
        .map_err(|e| anyhow::anyhow!("attester key {}: not hex: {e}", path.display()))?;
    let secret: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("attester key {}: secret must be 32 bytes", path.display()))?;
    Ok(Attester::from_secret(secret))
}

fn invalid(status: StatusCode, reason: Reason, message: String) -> HttpResponse {
    HttpResponse::build(status).json(VerifyResponse {
        is_valid: false,
        invalid_reason: Some(reason.as_str().into()),
        invalid_message: Some(message),
        payer: None,
    })
}

/// 503 while the chain config guard is closed: `{"error":"config_mismatch","detail":…}` plus the
/// route's x402 fields, so x402 clients read a typed refusal.
fn config_mismatch(detail: String, x402_fields: serde_json::Value) -> HttpResponse {
    let mut body = json!({ "error": Reason::ConfigMismatch.as_str(), "detail": detail });
    if let (Some(b), Some(extra)) = (body.as_object_mut(), x402_fields.as_object()) {
        b.extend(extra.clone());
    }
    HttpResponse::ServiceUnavailable()
        .insert_header(("Retry-After", CONFIG_RETRY.as_secs().to_string()))
        .json(body)
}

/// `POST /verify`: every off-chain check, then the nullifier's state.
#[utoipa::path(post, path = "/verify", tag = "x402",
    request_body(content = FacilitatorRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Verdict: isValid, or isValid:false with invalidReason", body = VerifyResponse),
        (status = 400, description = "Body is not JSON of this schema (invalidReason invalid_payload)", body = VerifyResponse),
        (status = 413, description = "Body larger than 64 KiB (invalid_payload)", body = VerifyResponse),
        (status = 415, description = "Content-Type is not application/json (invalid_payload)", body = VerifyResponse),
        (status = 405, description = "Method not allowed (Allow: POST)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 429, description = "Rate limit exceeded (rate-limited); see Retry-After", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 503, description = "config_mismatch (chain config guard closed; also an `error` field), rpc_unavailable, or overloaded (more than --max-in-flight requests in flight; nothing was checked); see Retry-After", body = VerifyResponse),
    ))]
pub async fn verify_route(
    state: web::Data<Arc<State>>,
    body: web::Json<FacilitatorRequest>,
) -> HttpResponse {
    let _slot = match crate::admission::enter(&state, "/verify") {
        Ok(slot) => slot,
        Err(overloaded) => return *overloaded,
    };
    let count = |result: &str| {
        state
            .metrics
            .inc("facilitator_verify_total", "result", result)
    };
    let fail = |status: StatusCode, reason: Reason, message: String| {
        count(reason.as_str());
        invalid(status, reason, message)
    };
    if let Err(detail) = state.chain.ok() {
        count(Reason::ConfigMismatch.as_str());
        return config_mismatch(
            detail.clone(),
            json!({ "isValid": false, "invalidReason": Reason::ConfigMismatch.as_str(),
                    "invalidMessage": detail }),
        );
    }
    let p = match check_payment(
        &state.policy,
        &body,
        unix_now(),
        state.chain.max_receipt_age(),
    ) {
        Ok(p) => p,
        Err(r) => return fail(StatusCode::OK, r.reason, r.message),
    };
    if state.claims.status(&p.nullifier_be).is_some() {
        return fail(
            StatusCode::OK,
            Reason::NullifierSpent,
            "this receipt is being settled or has already paid".into(),
        );
    }
    match nullifier_spent(&state, &p).await {
        Ok(false) => {
            count("valid");
            HttpResponse::Ok().json(VerifyResponse {
                is_valid: true,
                invalid_reason: None,
                invalid_message: None,
                payer: Some(format!("0x{}", hex::encode(p.nullifier_be))),
            })
        }
        Ok(true) => fail(
            StatusCode::OK,
            Reason::NullifierSpent,
            "this receipt has already paid".into(),
        ),
        Err(e) => fail(
            StatusCode::SERVICE_UNAVAILABLE,
            Reason::RpcUnavailable,
            e.to_string(),
        ),
    }
}

/// `POST /settle`: the checks of `/verify`, then the `verify_payment` transaction.
#[utoipa::path(post, path = "/settle", tag = "x402",
    request_body(content = FacilitatorRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "success with the transaction, or success:false with errorReason", body = SettleResponse),
        (status = 400, description = "Body is not JSON of this schema (errorReason invalid_payload)", body = SettleResponse),
        (status = 413, description = "Body larger than 64 KiB (invalid_payload)", body = SettleResponse),
        (status = 415, description = "Content-Type is not application/json (invalid_payload)", body = SettleResponse),
        (status = 405, description = "Method not allowed (Allow: POST)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 429, description = "Rate limit exceeded (rate-limited); see Retry-After", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 503, description = "config_mismatch (chain config guard closed; also an `error` field), rpc_unavailable, or overloaded (more than --max-in-flight requests in flight; nothing was checked or sent); see Retry-After", body = SettleResponse),
    ))]
pub async fn settle_route(
    state: web::Data<Arc<State>>,
    body: web::Json<FacilitatorRequest>,
) -> HttpResponse {
    let _slot = match crate::admission::enter(&state, "/settle") {
        Ok(slot) => slot,
        Err(overloaded) => return *overloaded,
    };
    let network = state.policy.network.clone();
    let count = |result: &str| {
        state
            .metrics
            .inc("facilitator_settle_total", "result", result)
    };
    let fail = |status: StatusCode, reason: Reason, message: String| {
        count(reason.as_str());
        HttpResponse::build(status).json(SettleResponse {
            success: false,
            error_reason: Some(reason.as_str().into()),
            error_message: Some(message),
            payer: None,
            transaction: String::new(),
            network: network.clone(),
        })
    };
    if let Err(detail) = state.chain.ok() {
        count(Reason::ConfigMismatch.as_str());
        return config_mismatch(
            detail.clone(),
            json!({ "success": false, "errorReason": Reason::ConfigMismatch.as_str(),
                    "errorMessage": detail, "transaction": "", "network": network }),
        );
    }
    let payment = match check_payment(
        &state.policy,
        &body,
        unix_now(),
        state.chain.max_receipt_age(),
    ) {
        Ok(p) => p,
        Err(r) => return fail(StatusCode::OK, r.reason, r.message),
    };
    // The atomic claim: of concurrent or repeated settlements of one nullifier in this process,
    // one sends a transaction; the others are refused without sending anything.
    let claim = match state.claims.try_claim(&payment.nullifier_be) {
        Ok(c) => c,
        Err(_) => {
            return fail(
                StatusCode::OK,
                Reason::NullifierSpent,
                "this receipt is being settled or has already paid".into(),
            )
        }
    };
    let payer = Some(format!("0x{}", hex::encode(payment.nullifier_be)));
    let outcome = match state.batcher.get() {
        Some(batcher) => batcher.settle(payment).await,
        None => settle(&state, &payment).await,
    };
    match outcome {
        Ok(Settled { signature }) => {
            claim.burned();
            count("settled");
            HttpResponse::Ok().json(SettleResponse {
                success: true,
                error_reason: None,
                error_message: None,
                payer,
                transaction: signature,
                network: network.clone(),
            })
        }
        Err(r) => {
            if r.reason == Reason::NullifierSpent {
                claim.burned(); // by someone else: the chain says so
            } else if r.outcome_unknown {
                claim.uncertain();
            } else {
                drop(claim); // nothing burned: the payer may retry
            }
            let status = if r.reason == Reason::RpcUnavailable {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            };
            fail(status, r.reason, r.message)
        }
    }
}

/// `--max-age`, lowered to the chain's receipt age cap when that is smaller (a larger `maxAge`
/// would be refused).
fn advertised_max_age(configured: u64, chain_cap: Option<u64>) -> u64 {
    chain_cap.map_or(configured, |cap| configured.min(cap))
}

/// `GET /supported`: the scheme, network and the `extra` a resource server advertises.
#[utoipa::path(get, path = "/supported", tag = "x402",
    responses(
        (status = 200, description = "Supported kinds", body = SupportedResponse),
        (status = 405, description = "Method not allowed (Allow: GET)", content_type = "application/problem+json", body = crate::openapi::Problem),
    ))]
pub async fn supported_route(state: web::Data<Arc<State>>) -> HttpResponse {
    let a = state.policy.attester;
    let mut extra = json!({
        "programId": bs58::encode(state.policy.program_id).into_string(),
        "attester": {
            "x": x402_zk_circuits::field::fr_to_decimal(&a.x),
            "y": x402_zk_circuits::field::fr_to_decimal(&a.y),
        },
        "attesterUrl": state.public_url,
        "maxAge": advertised_max_age(state.max_age, state.chain.max_receipt_age()),
        "vkHash": format!("0x{}", hex::encode(state.chain.expected.vk_hash)),
        "maxClockSkewSeconds": state.policy.max_clock_skew_seconds,
    });
    if let Some(p) = &state.prover_url {
        extra["proverUrl"] = json!(p);
    }
    if state.proving_key.is_some() {
        extra["provingKeyUrl"] = json!(format!("{}{}", state.public_url, crate::proving_key::PATH));
    }
    let mut signers = serde_json::Map::new();
    signers.insert(
        "solana:*".into(),
        json!([state.fee_payer.pubkey().to_string()]),
    );
    HttpResponse::Ok().json(SupportedResponse {
        kinds: vec![SupportedKind {
            x402_version: X402_VERSION,
            scheme: SCHEME.into(),
            network: state.policy.network.clone(),
            extra: Some(extra),
        }],
        extensions: vec![],
        signers,
    })
}

/// A problem+json answer (the service kit's shape, as the prover's) for the attester's and the
/// server's own refusals; `slug` is the reason word.
pub(crate) fn problem(status: StatusCode, slug: &str, detail: String) -> HttpResponse {
    Problem::new(status, slug, detail).response()
}

/// `POST /v1/attest`: a signed receipt for a finalized payment.
#[utoipa::path(post, path = "/v1/attest", tag = "attester",
    request_body(content = AttestRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The receipt, its signature and the attester key", body = crate::attester::AttestResponse),
        (status = 400, description = "malformed-request (bad JSON, unknown field, bad encoding)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 409, description = "not-finalized: retry after finalization", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 413, description = "payload-too-large", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 415, description = "unsupported-media-type", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 422, description = "transaction-failed, memo-mismatch, multiple-memos, no-transfer", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 405, description = "Method not allowed (Allow: POST, OPTIONS)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 429, description = "Rate limit exceeded (rate-limited); see Retry-After", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 502, description = "balance-data-unavailable (the trusted RPC's answer is unusable)", content_type = "application/problem+json", body = crate::openapi::Problem),
        (status = 503, description = "rpc-unavailable, or overloaded (more than --max-in-flight requests in flight; see Retry-After)", content_type = "application/problem+json", body = crate::openapi::Problem),
    ))]
pub async fn attest_route(
    state: web::Data<Arc<State>>,
    body: web::Json<AttestRequest>,
) -> HttpResponse {
    let _slot = match crate::admission::enter(&state, "/v1/attest") {
        Ok(slot) => slot,
        Err(overloaded) => return *overloaded,
    };
    match state.attester.attest(&state.attest_rpc, &body).await {
        Ok(r) => {
            state
                .metrics
                .inc("facilitator_attest_total", "result", "issued");
            HttpResponse::Ok().json(r)
        }
        Err(e) => {
            state
                .metrics
                .inc("facilitator_attest_total", "result", e.slug());
            problem(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
                e.slug(),
                e.to_string(),
            )
        }
    }
}

/// Liveness plus the chain config guard and the RPC endpoints' state (which one answers, which
/// circuits are open).
#[utoipa::path(get, path = "/health", tag = "meta",
    responses(
        (status = 200, description = "{status, chainConfig, vkHash, rpc, attestRpc}", body = Object),
        (status = 405, description = "Method not allowed (Allow: GET)", content_type = "application/problem+json", body = crate::openapi::Problem),
    ))]
pub async fn health(state: web::Data<Arc<State>>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": "ok",
        "chainConfig": state.chain.status(),
        // `SolanaVk::sha256` of this facilitator's verifying key: must equal on-chain Config.vk_hash.
        "vkHash": format!("0x{}", hex::encode(state.chain.expected.vk_hash)),
        "rpc": {
            "endpoints": state.rpc.stats(),
            "fallbackAnswers": state.rpc.fallback_answers(),
        },
        "attestRpc": { "endpoints": state.attest_rpc.stats() },
    }))
}

/// Prometheus scrape endpoint.
#[utoipa::path(get, path = "/metrics", tag = "meta",
    responses(
        (status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String),
        (status = 405, description = "Method not allowed (Allow: GET)", content_type = "application/problem+json", body = crate::openapi::Problem),
    ))]
pub async fn metrics_route(state: web::Data<Arc<State>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.rpc))
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    problem(
        StatusCode::NOT_FOUND,
        "not-found",
        format!("no route for {} {}", req.method(), req.path()),
    )
}

/// The 405 problem of a resource whose only methods are `allow` (e.g. `"POST, OPTIONS"`), in `Allow`.
pub fn method_not_allowed(allow: &'static str) -> actix_web::Route {
    web::to(move |req: HttpRequest| async move {
        let mut res = problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            format!("{} is not allowed on {}", req.method(), req.path()),
        );
        res.headers_mut().insert(
            actix_web::http::header::ALLOW,
            actix_web::http::header::HeaderValue::from_static(allow),
        );
        res
    })
}

/// Per-client-IP rate limit (the service kit's limiter and trusted-proxy rules, as the prover's):
/// refusals are 429 problem+json `rate_limited` with `Retry-After`, counted under the route's metric as
/// `rate_limited` (`rate-limited` for the attester, whose results are problem slugs).
async fn rate_limit(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(state) = req.app_data::<web::Data<Arc<State>>>() {
        if let Some(ip) = client_ip(&req, &state.trusted_proxies) {
            if let Err(wait) = state.limiter.check(ip) {
                let (family, result) = match req.path() {
                    "/verify" => ("facilitator_verify_total", limits::RATE_LIMITED),
                    "/settle" => ("facilitator_settle_total", limits::RATE_LIMITED),
                    "/v1/settlement" => ("facilitator_settlement_total", limits::RATE_LIMITED),
                    _ => ("facilitator_attest_total", "rate-limited"),
                };
                state.metrics.inc(family, "result", result);
                let (http_req, _) = req.into_parts();
                let res = limits::rate_limited(wait).response();
                return Ok(ServiceResponse::new(http_req, res));
            }
        }
    }
    next.call(req).await
}

/// CORS for the routes a browser payer calls from the merchant's page, another origin: the
/// attester (`POST /v1/attest`) and the proving key. They are public, idempotent and take no
/// credentials, so any origin may read their answers (errors and 429s included, so the page sees
/// the problem JSON). `/verify`, `/settle` and `/metrics` are server-to-server and get no CORS.
/// Wrap it outermost (after the rate limit) so every answer of the resource carries the header.
pub async fn public_cors(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    use actix_web::http::header::{
        HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    };
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag, Retry-After, X-Vk-Hash"),
    );
    Ok(res)
}

/// The CORS preflight (`OPTIONS`) of a [`public_cors`] route: GET/POST with a JSON body.
pub async fn cors_preflight() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header(("Access-Control-Allow-Methods", "GET, POST"))
        .insert_header(("Access-Control-Allow-Headers", "content-type"))
        .insert_header(("Access-Control-Max-Age", "600"))
        .finish()
}

/// Malformed or oversized JSON bodies: x402-shaped on /verify and /settle, problem+json elsewhere.
fn json_error(err: JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    let status = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        JsonPayloadError::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::BAD_REQUEST,
    };
    let detail = err.to_string();
    let resp = match req.path() {
        "/verify" => invalid(status, Reason::InvalidPayload, detail),
        "/settle" => HttpResponse::build(status).json(json!({
            "success": false, "errorReason": Reason::InvalidPayload.as_str(), "errorMessage": detail,
            "transaction": "", "network": "",
        })),
        _ => problem(status, if status == StatusCode::PAYLOAD_TOO_LARGE { "payload-too-large" } else { "malformed-request" }, detail),
    };
    actix_web::error::InternalError::from_response(err, resp).into()
}

pub fn configure(state: Arc<State>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(state))
            .app_data(
                web::JsonConfig::default()
                    .limit(MAX_BODY_BYTES)
                    .error_handler(json_error),
            )
            .service(
                web::resource("/verify")
                    .wrap(from_fn(rate_limit))
                    .route(web::post().to(verify_route))
                    .default_service(method_not_allowed("POST")),
            )
            .service(
                web::resource("/settle")
                    .wrap(from_fn(rate_limit))
                    .route(web::post().to(settle_route))
                    .default_service(method_not_allowed("POST")),
            )
            .service(
                web::resource("/v1/settlement")
                    .wrap(from_fn(rate_limit))
                    .route(web::post().to(crate::settlement::settlement_route))
                    .default_service(method_not_allowed("POST")),
            )
            .service(
                web::resource("/v1/attest")
                    .wrap(from_fn(rate_limit))
                    .wrap(from_fn(public_cors))
                    .route(web::post().to(attest_route))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(cors_preflight))
                    .default_service(method_not_allowed("POST, OPTIONS")),
            )
            .service(
                web::resource(crate::proving_key::PATH)
                    .wrap(from_fn(public_cors))
                    .route(web::get().to(crate::proving_key::route))
                    .route(web::method(actix_web::http::Method::OPTIONS).to(cors_preflight))
                    .default_service(method_not_allowed("GET, OPTIONS")),
            )
            .service(
                web::resource("/supported")
                    .route(web::get().to(supported_route))
                    .default_service(method_not_allowed("GET")),
            )
            .service(
                web::resource("/health")
                    .route(web::get().to(health))
                    .default_service(method_not_allowed("GET")),
            )
            .service(
                web::resource("/metrics")
                    .route(web::get().to(metrics_route))
                    .default_service(method_not_allowed("GET")),
            )
            .service(
                web::resource("/openapi.json")
                    .route(web::get().to(crate::openapi::openapi))
                    .default_service(method_not_allowed("GET")),
            )
            .default_service(web::to(not_found));
    }
}

/// Checks the chain config once (so the first request already sees a verdict), starts the
/// background tasks, and serves until stopped.
pub async fn serve(state: Arc<State>, bind: &str, port: u16) -> std::io::Result<()> {
    state.chain.check(&state.rpc).await;
    crate::metrics::refresh_fee_payer_balance(&state).await;
    state.start_background(false);
    HttpServer::new(move || {
        App::new()
            .wrap(from_fn(crate::metrics::observe))
            .configure(configure(state.clone()))
    })
    .bind((bind, port))?
    .run()
    .await
}

/// Starts the server on an ephemeral loopback port (tests), with the background tasks; returns
/// the port and a handle.
pub fn spawn_local(state: Arc<State>) -> std::io::Result<(u16, actix_web::dev::ServerHandle)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    state.start_background(true);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(crate::metrics::observe))
            .configure(configure(state.clone()))
    })
    .workers(2)
    .listen(listener)?
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok((port, handle))
}
