//! The admission limit (`--max-in-flight`): at most N requests inside the expensive routes
//! (`/verify`, `/settle`, `/v1/settlement`, `/v1/attest`) at once; the next one is refused at once
//! with `503`, `Retry-After` and the route's refusal shape carrying the reason word `overloaded`,
//! so that under overload the facilitator says no quickly instead of slowing everyone down (the
//! prover's bounded pool does the same for proofs).
//!
//! A request takes its permit (a tokio [`Semaphore`] permit) as the first step of its handler, once
//! its body has been read ([`enter`]): a client that trickles its body holds none. It keeps it until
//! the handler's future finishes or is dropped — an answer or an error releases it; for a client
//! that went away, actix runs the handler to its end (a settlement completes), then releases it.
//! The per-IP rate limit runs first, so a rate-limited request never takes a permit; a body that
//! does not parse is refused before any permit is taken. `/health`, `/metrics`, `/supported`, `/openapi.json` and the proving key are not
//! limited.
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use x402_zk_service_kit::problem::{retry_after_secs, Problem};

use crate::app::State;
use crate::metrics::{IN_FLIGHT, IN_FLIGHT_LIMIT};
use crate::x402::Reason;

/// `--max-in-flight` default.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;
/// `Retry-After` of an `overloaded` refusal: a permit frees as soon as any admitted request ends.
pub const OVERLOAD_RETRY: Duration = Duration::from_secs(1);

/// The limited routes, as their metric label.
pub const ROUTES: [&str; 4] = ["/verify", "/settle", "/v1/settlement", "/v1/attest"];

/// The permits of the limited routes; `max == 0` admits everything.
pub struct Admission {
    permits: Option<Arc<Semaphore>>,
    max: usize,
}

/// One admitted request; dropping it frees the slot.
pub struct Admitted {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Admission {
    /// At most `max` requests at once (0 = unlimited).
    pub fn new(max: usize) -> Self {
        Admission {
            permits: (max > 0).then(|| Arc::new(Semaphore::new(max))),
            max,
        }
    }

    /// A slot, or `None` when all `max` are taken (never waits).
    pub fn try_admit(&self) -> Option<Admitted> {
        match &self.permits {
            None => Some(Admitted { _permit: None }),
            Some(s) => Arc::clone(s)
                .try_acquire_owned()
                .ok()
                .map(|p| Admitted { _permit: Some(p) }),
        }
    }

    /// The configured limit (0 = unlimited).
    pub fn max(&self) -> usize {
        self.max
    }

    /// Requests admitted and not finished (0 when unlimited: nothing is counted).
    pub fn in_flight(&self) -> usize {
        self.permits
            .as_ref()
            .map_or(0, |s| self.max - s.available_permits())
    }
}

/// The refusal of `path` in that route's shape: x402 `isValid:false` / `success:false` with
/// `overloaded` on `/verify` and `/settle`, problem+json (`urn:x402-zk:problem:overloaded`, with
/// `reason` and `retryAfter`) on `/v1/settlement` and `/v1/attest`; always 503 and `Retry-After`.
pub fn overloaded(path: &str, max: usize, network: &str) -> HttpResponse {
    let word = Reason::Overloaded.as_str();
    let secs = retry_after_secs(OVERLOAD_RETRY);
    let message = format!(
        "the facilitator is at its limit of {max} requests in flight; retry after {secs} s"
    );
    let x402 = |body: serde_json::Value| {
        HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE)
            .insert_header(("Retry-After", secs.to_string()))
            .json(body)
    };
    match path {
        "/verify" => x402(json!({
            "isValid": false, "invalidReason": word, "invalidMessage": message,
        })),
        "/settle" => x402(json!({
            "success": false, "errorReason": word, "errorMessage": message,
            "transaction": "", "network": network,
        })),
        _ => Problem::new(StatusCode::SERVICE_UNAVAILABLE, word, message)
            .retry_after(OVERLOAD_RETRY)
            .response(),
    }
}

/// A slot in the limited routes, held by the handler while it works; dropping it frees the slot
/// and updates `facilitator_in_flight_requests`.
pub struct Slot {
    state: Arc<State>,
    admitted: Option<Admitted>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        drop(self.admitted.take());
        self.state
            .metrics
            .set_gauge(IN_FLIGHT, self.state.admission.in_flight() as u64);
    }
}

/// The first step of a limited route's handler, after its body was read (so a client that trickles
/// its body holds no slot: only the work counts): a [`Slot`] for the handler to hold, or the
/// [`overloaded`] answer (boxed: it is large) to return at once, counted in `facilitator_admission_refusals_total{route}`
/// and under the route's result metric as `overloaded`. `route` is one of [`ROUTES`].
pub fn enter(state: &Arc<State>, route: &'static str) -> Result<Slot, Box<HttpResponse>> {
    debug_assert!(ROUTES.contains(&route), "not a limited route: {route}");
    let Some(admitted) = state.admission.try_admit() else {
        state
            .metrics
            .inc("facilitator_admission_refusals_total", "route", route);
        let family = match route {
            "/verify" => "facilitator_verify_total",
            "/settle" => "facilitator_settle_total",
            "/v1/settlement" => "facilitator_settlement_total",
            _ => "facilitator_attest_total",
        };
        state
            .metrics
            .inc(family, "result", Reason::Overloaded.as_str());
        return Err(Box::new(overloaded(
            route,
            state.admission.max(),
            &state.policy.network,
        )));
    };
    state
        .metrics
        .set_gauge(IN_FLIGHT, state.admission.in_flight() as u64);
    Ok(Slot {
        state: Arc::clone(state),
        admitted: Some(admitted),
    })
}

/// Exposes the limit and the in-flight gauge at their start values.
pub fn init_metrics(state: &State) {
    state
        .metrics
        .set_gauge(IN_FLIGHT_LIMIT, state.admission.max() as u64);
    state
        .metrics
        .set_gauge(IN_FLIGHT, state.admission.in_flight() as u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_max_then_refuses_and_frees_on_drop() {
        let a = Admission::new(2);
        let one = a.try_admit().unwrap();
        let two = a.try_admit().unwrap();
        assert_eq!(a.in_flight(), 2);
        assert!(a.try_admit().is_none());
        drop(one);
        assert_eq!(a.in_flight(), 1);
        let three = a.try_admit().unwrap();
        drop((two, three));
        assert_eq!(a.in_flight(), 0);
    }

    #[test]
    fn zero_is_unlimited() {
        let a = Admission::new(0);
        let held: Vec<_> = (0..1000).map(|_| a.try_admit().unwrap()).collect();
        assert_eq!(held.len(), 1000);
        assert_eq!(a.in_flight(), 0);
    }
}
