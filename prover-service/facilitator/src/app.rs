//! Routes and server lifecycle. Every error is JSON: x402 endpoints answer in the x402 shapes
//! (`isValid:false` / `success:false` with a stable reason), the attester in problem+json.
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;
use solana_keypair::Keypair;
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::groth16::VerifierKey;

use crate::attester::{pubkey_bytes, AttestRequest, AttesterService, ReceiptLedger};
use crate::batch::{BatchConfig, Batcher};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::rpc::{RpcOptions, RpcPool};
use crate::settle::{settle, SettleOutcome};
use crate::verify::{check_payment, Policy};
use crate::x402::{
    FacilitatorRequest, Reason, SettleResponse, SupportedKind, SupportedResponse, VerifyResponse,
    SCHEME, X402_VERSION,
};

/// Largest request body accepted (a payment payload is ~1 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct State {
    pub policy: Policy,
    pub rpc: RpcPool,
    pub attester: AttesterService,
    pub fee_payer: Keypair,
    pub metrics: Metrics,
    /// Settlement batching, when configured (`--batch-max` > 1).
    pub batch: Option<BatchConfig>,
    /// The batch queue; started by [`serve`] / [`spawn_local`] on the server's runtime.
    pub batcher: OnceLock<Batcher>,
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
}

impl State {
    pub fn from_config(c: &Config) -> anyhow::Result<Arc<State>> {
        let vk = VerifierKey::load(&c.verifying_key)
            .map_err(|e| anyhow::anyhow!("verifying key {}: {e}", c.verifying_key.display()))?;
        if vk.provenance == "dev" && !(c.allow_dev_keys && c.is_local()) {
            anyhow::bail!(
                "verifying key {} has provenance 'dev' (unsafe: its maker can forge proofs); \
                 use ceremony keys, or pass --allow-dev-keys on a local validator only",
                c.verifying_key.display()
            );
        }
        let key = load_attester_key(&c.attester_key)?;
        let fee_payer = solana_keypair::read_keypair_file(&c.fee_payer)
            .map_err(|e| anyhow::anyhow!("fee payer keypair {}: {e}", c.fee_payer.display()))?;
        let program_id =
            pubkey_bytes(&c.program_id, "program id").map_err(|e| anyhow::anyhow!(e))?;
        Ok(Arc::new(State {
            policy: Policy {
                network: c.network.clone(),
                program_id,
                attester: key.public(),
                max_clock_skew_seconds: c.max_clock_skew_seconds,
                vk,
            },
            rpc: RpcPool::new(c.rpc_urls.clone(), RpcOptions::default()),
            attester: AttesterService {
                key,
                ledger: ReceiptLedger::open(c.receipt_ledger.clone())?,
            },
            fee_payer,
            metrics: Metrics::default(),
            batch: Some(BatchConfig {
                max: usize::from(c.batch_max),
                window: std::time::Duration::from_millis(c.batch_window_ms),
            }),
            batcher: OnceLock::new(),
        }))
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

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn invalid(status: StatusCode, reason: Reason, message: String) -> HttpResponse {
    HttpResponse::build(status).json(VerifyResponse {
        is_valid: false,
        invalid_reason: Some(reason.as_str().into()),
        invalid_message: Some(message),
        payer: None,
    })
}

async fn verify_route(
    state: web::Data<Arc<State>>,
    body: web::Json<FacilitatorRequest>,
) -> HttpResponse {
    let count = |result: &str| {
        state
            .metrics
            .inc("facilitator_verify_total", "result", result)
    };
    let fail = |status: StatusCode, reason: Reason, message: String| {
        count(reason.as_str());
        invalid(status, reason, message)
    };
    match check_payment(&state.policy, &body, unix_now()) {
        Err(r) => fail(StatusCode::OK, r.reason, r.message),
        Ok(p) => match crate::settle::nullifier_status(&state, &p).await {
            Ok(None) => {
                count("valid");
                HttpResponse::Ok().json(VerifyResponse {
                    is_valid: true,
                    invalid_reason: None,
                    invalid_message: None,
                    payer: Some(format!("0x{}", hex::encode(p.nullifier_be))),
                })
            }
            Ok(Some(_)) => fail(
                StatusCode::OK,
                Reason::NullifierSpent,
                "this receipt has already paid".into(),
            ),
            Err(e) => fail(
                StatusCode::SERVICE_UNAVAILABLE,
                Reason::RpcUnavailable,
                e.to_string(),
            ),
        },
    }
}

async fn settle_route(
    state: web::Data<Arc<State>>,
    body: web::Json<FacilitatorRequest>,
) -> HttpResponse {
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
    let payment = match check_payment(&state.policy, &body, unix_now()) {
        Ok(p) => p,
        Err(r) => return fail(StatusCode::OK, r.reason, r.message),
    };
    let payer = Some(format!("0x{}", hex::encode(payment.nullifier_be)));
    let outcome = match state.batcher.get() {
        Some(batcher) => batcher.settle(payment).await,
        None => settle(&state, &payment).await,
    };
    match outcome {
        Ok(outcome) => {
            let signature = match outcome {
                SettleOutcome::Settled { signature } => {
                    count("settled");
                    signature
                }
                SettleOutcome::AlreadySettled { signature } => {
                    count("already_settled");
                    signature
                }
            };
            HttpResponse::Ok().json(SettleResponse {
                success: true,
                error_reason: None,
                error_message: None,
                payer,
                transaction: signature,
                network: network.clone(),
            })
        }
        Err(r) if r.reason == Reason::RpcUnavailable => {
            fail(StatusCode::SERVICE_UNAVAILABLE, r.reason, r.message)
        }
        Err(r) => fail(StatusCode::OK, r.reason, r.message),
    }
}

async fn supported_route(state: web::Data<Arc<State>>) -> HttpResponse {
    let a = state.policy.attester;
    HttpResponse::Ok().json(SupportedResponse {
        kinds: vec![SupportedKind {
            x402_version: X402_VERSION,
            scheme: SCHEME.into(),
            network: state.policy.network.clone(),
            extra: Some(json!({
                "programId": bs58::encode(state.policy.program_id).into_string(),
                "attester": {
                    "x": x402_zk_circuits::field::fr_to_decimal(&a.x),
                    "y": x402_zk_circuits::field::fr_to_decimal(&a.y),
                },
                "maxClockSkewSeconds": state.policy.max_clock_skew_seconds,
            })),
        }],
        extensions: vec![],
        signers: serde_json::Map::new(),
    })
}

fn problem(status: StatusCode, slug: &str, detail: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .json(json!({
            "type": format!("https://x402-zk.dev/problems/{slug}"),
            "title": slug.replace('-', " "),
            "status": status.as_u16(),
            "detail": detail,
        }))
}

async fn attest_route(
    state: web::Data<Arc<State>>,
    body: web::Json<AttestRequest>,
) -> HttpResponse {
    match state.attester.attest(&state.rpc, &body).await {
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

/// Liveness plus the RPC endpoints' state (which one answers, which circuits are open).
async fn health(state: web::Data<Arc<State>>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": "ok",
        "rpc": {
            "endpoints": state.rpc.stats(),
            "fallbackAnswers": state.rpc.fallback_answers(),
        },
    }))
}

/// Prometheus scrape endpoint.
async fn metrics_route(state: web::Data<Arc<State>>) -> HttpResponse {
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
            .route("/verify", web::post().to(verify_route))
            .route("/settle", web::post().to(settle_route))
            .route("/supported", web::get().to(supported_route))
            .route("/v1/attest", web::post().to(attest_route))
            .route("/health", web::get().to(health))
            .route("/metrics", web::get().to(metrics_route))
            .default_service(web::to(not_found));
    }
}

pub async fn serve(state: Arc<State>, bind: &str, port: u16) -> std::io::Result<()> {
    state.start_batcher();
    HttpServer::new(move || App::new().configure(configure(state.clone())))
        .bind((bind, port))?
        .run()
        .await
}

/// Starts the server on an ephemeral loopback port (tests); returns the port and a handle.
pub fn spawn_local(state: Arc<State>) -> std::io::Result<(u16, actix_web::dev::ServerHandle)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    state.start_batcher();
    let server = HttpServer::new(move || App::new().configure(configure(state.clone())))
        .workers(2)
        .listen(listener)?
        .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok((port, handle))
}
