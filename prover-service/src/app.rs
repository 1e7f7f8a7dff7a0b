//! Builds the actix `App` (so tests mount exactly what the binary serves) and runs the server
//! with graceful shutdown.

use crate::backend::ProverBackend;
use crate::cache::ProofCache;
use crate::config::Config;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::pool::ProverPool;
use crate::routes;
use crate::telemetry;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpRequest, HttpServer};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use x402_zk_circuits::wire::describe_serde;
use x402_zk_service_kit::limits::{client_ip, RateLimiter};

/// Everything the handlers share. One per server; cheap to clone as `web::Data`.
pub struct AppState {
    /// The configuration the server was started with.
    pub config: Config,
    /// The prover.
    pub backend: Arc<dyn ProverBackend>,
    /// The bounded prover pool.
    pub pool: ProverPool,
    /// The proof cache.
    pub cache: ProofCache,
    /// The per-IP rate limiter.
    pub limiter: RateLimiter,
    /// This server's metrics.
    pub metrics: Metrics,
    shutting_down: AtomicBool,
}

impl AppState {
    /// State for `config` and `backend`; starts the prover threads.
    pub fn new(config: Config, backend: Arc<dyn ProverBackend>) -> Self {
        AppState {
            pool: ProverPool::new(config.prover_threads(), config.max_queue_depth),
            cache: ProofCache::new(
                config.cache_size,
                Duration::from_secs(config.cache_ttl_seconds),
            ),
            limiter: RateLimiter::new(config.rate_limit_per_minute, config.rate_limit_window()),
            metrics: Metrics::with_memory_limit(Some(config.memory_limit_bytes)),
            backend,
            config,
            shutting_down: AtomicBool::new(false),
        }
    }

    /// True once shutdown has begun: new proofs are refused with 503.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Starts refusing new proofs (503 `shutting-down`) and reporting not-ready.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }
}

/// Per-IP rate limit for the proof routes. Refusals become 429 with `Retry-After`.
async fn rate_limit(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        if let Some(ip) = client_ip(&req, &state.config.trusted_proxy) {
            if let Err(wait) = state.limiter.check(ip) {
                state.metrics.rate_limited();
                let (http_req, _) = req.into_parts();
                return Ok(ServiceResponse::from_err(
                    ApiError::RateLimited { retry_after: wait },
                    http_req,
                ));
            }
        }
    }
    next.call(req).await
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge { limit },
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) => ApiError::Malformed(describe_serde(&e)),
        JsonPayloadError::Serialize(_) => ApiError::Internal("serialize".into()),
        JsonPayloadError::Payload(e) => ApiError::Malformed(format!("reading the body: {e}")),
        other => ApiError::Malformed(other.to_string()),
    };
    api.into()
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::Malformed(format!("path: {err}")).into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::Malformed(format!("query: {err}")).into()
}

async fn not_found() -> Result<web::Json<()>, ApiError> {
    Err(ApiError::NotFound)
}

/// The 405 problem of a resource whose only methods are `allow` (e.g. `"POST"`), in `Allow`.
fn method_not_allowed(allow: &'static str) -> actix_web::Route {
    web::to(move || async move {
        let mut res = actix_web::ResponseError::error_response(&ApiError::MethodNotAllowed);
        res.headers_mut().insert(
            actix_web::http::header::ALLOW,
            actix_web::http::header::HeaderValue::from_static(allow),
        );
        res
    })
}

/// The application: routes, extractor configs (so extractor errors are problem+json too),
/// middleware and the default 404 handler.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.config.max_body_bytes;
    App::new()
        .app_data(state)
        .app_data(
            web::JsonConfig::default()
                .limit(limit)
                .content_type_required(true)
                .error_handler(json_error),
        )
        .app_data(web::PayloadConfig::new(limit))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .wrap(from_fn(telemetry::observe))
        .service(
            web::resource("/v1/proofs")
                .wrap(from_fn(rate_limit))
                .route(web::post().to(routes::proofs::create_proof))
                .default_service(method_not_allowed("POST")),
        )
        .service(
            web::resource("/generate-proof")
                .wrap(from_fn(rate_limit))
                .route(web::post().to(routes::legacy::generate_proof))
                .default_service(method_not_allowed("POST")),
        )
        .service(
            web::resource("/health")
                .route(web::get().to(routes::health::health))
                .default_service(method_not_allowed("GET")),
        )
        .service(
            web::resource("/ready")
                .route(web::get().to(routes::health::ready))
                .default_service(method_not_allowed("GET")),
        )
        .service(
            web::resource("/metrics")
                .route(web::get().to(routes::metrics::metrics))
                .default_service(method_not_allowed("GET")),
        )
        .service(
            web::resource("/openapi.json")
                .route(web::get().to(routes::openapi::openapi))
                .default_service(method_not_allowed("GET")),
        )
        .default_service(web::to(not_found))
}

/// A started server.
pub struct RunningServer {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// Shared state (tests read metrics and pool counters through it).
    pub state: web::Data<AppState>,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    maintenance: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Graceful shutdown: refuse new proofs (503), let in-flight proofs finish (up to
    /// `shutdown_timeout_seconds`), then stop the HTTP server and wait for it.
    pub async fn shutdown(self) -> std::io::Result<()> {
        self.state.begin_shutdown();
        tracing::info!(
            in_flight = self.state.pool.in_flight(),
            "shutdown: refusing new proofs, draining in-flight proofs"
        );
        let deadline =
            Instant::now() + Duration::from_secs(self.state.config.shutdown_timeout_seconds);
        while self.state.pool.in_flight() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.handle.stop(true).await;
        self.maintenance.abort();
        let r = self
            .task
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        tracing::info!("shutdown complete");
        r
    }

    /// Waits until the server stops on its own (it does not, unless stopped).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?
    }
}

/// Binds `config.bind_addr:config.port` and starts serving on the current tokio runtime.
/// Signals are not handled here: the binary calls [`RunningServer::shutdown`] on SIGTERM/SIGINT.
pub fn start(config: Config, backend: Arc<dyn ProverBackend>) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind((config.bind_addr, config.port))?;
    let addr = listener.local_addr()?;
    let workers = config.http_workers();
    let shutdown_timeout = config.shutdown_timeout_seconds;
    let state = web::Data::new(AppState::new(config, backend));
    let app_state = state.clone();
    let server = HttpServer::new(move || build_app(app_state.clone()))
        .workers(workers)
        .backlog(1024)
        .disable_signals()
        .shutdown_timeout(shutdown_timeout)
        .listen(listener)?
        .run();
    let handle = server.handle();
    let task = tokio::spawn(server);
    let maint_state = state.clone();
    let maintenance = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            maint_state.limiter.retain_recent();
            maint_state.metrics.run_upkeep();
        }
    });
    Ok(RunningServer {
        addr,
        state,
        handle,
        task,
        maintenance,
    })
}
