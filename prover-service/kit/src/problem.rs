//! The error body of both services: RFC 9457 problem details, `application/problem+json`.
//!
//! One type, [`Problem`], is both what the handlers send and the schema their OpenAPI documents
//! publish (`utoipa::ToSchema`), so the two cannot drift. Every body names its reason twice: as a
//! stable URI in `type` (`urn:x402-zk:problem:<reason in kebab-case>`) and as the service's own
//! word in `reason` (the word its metrics and logs use). Answers that ask the client to come back
//! carry `Retry-After` and mirror it in `retryAfter`.
//!
//! `http-api-problem` would build the same body, but its type is not a `utoipa` schema: the
//! documents would need a hand-kept copy of the shape, which is what this module replaces.
//!
//! A problem's `detail` is for people and must never echo private inputs: callers name the
//! offending field, never its value.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Duration;

/// Prefix of every problem `type` URI; the suffix is the reason in kebab-case ([`type_uri`]).
pub const PROBLEM_TYPE_PREFIX: &str = "urn:x402-zk:problem:";

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The `type` URI of `reason` (`settlement_not_found` → `urn:x402-zk:problem:settlement-not-found`).
pub fn type_uri(reason: &str) -> String {
    format!("{PROBLEM_TYPE_PREFIX}{}", reason.replace('_', "-"))
}

/// `Retry-After` in whole seconds, rounded up, at least 1.
pub fn retry_after_secs(d: Duration) -> u64 {
    let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    s.max(1)
}

/// A problem document (RFC 9457) as both services send it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(
    description = "RFC 9457 problem details: the body of every error answer (application/problem+json)"
)]
pub struct Problem {
    /// Stable reason URI: `urn:x402-zk:problem:<reason>`, the reason in kebab-case.
    #[serde(rename = "type")]
    #[schema(pattern = "^urn:x402-zk:problem:[a-z0-9-]+$")]
    pub type_uri: String,
    /// Short summary of the reason.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time; names the offending field, never its value.
    pub detail: String,
    /// The service's word for the reason (the `type` suffix, as the service's metrics spell it).
    pub reason: String,
    /// Seconds to wait before retrying; mirrors `Retry-After`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Extension members of a particular answer (for example the prover's `pool` when not ready).
    #[serde(flatten)]
    #[schema(ignore)]
    pub extensions: Map<String, Value>,
}

impl Problem {
    /// A problem with `status`, `reason` (the service's word) and `detail`; the title is the
    /// reason in words until [`Problem::title`] sets another.
    pub fn new(status: StatusCode, reason: &str, detail: impl Into<String>) -> Self {
        Problem {
            type_uri: type_uri(reason),
            title: title_of(reason),
            status: status.as_u16(),
            detail: detail.into(),
            reason: reason.to_owned(),
            retry_after: None,
            extensions: Map::new(),
        }
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Asks the client to retry after `wait` (`Retry-After` and `retryAfter`, whole seconds ≥ 1).
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(retry_after_secs(wait));
        self
    }

    /// Adds the extension member `key` (must not be one of the standard names).
    pub fn extension(mut self, key: &str, value: Value) -> Self {
        debug_assert!(!matches!(
            key,
            "type" | "title" | "status" | "detail" | "reason" | "retryAfter"
        ));
        self.extensions.insert(key.to_owned(), value);
        self
    }

    /// The HTTP answer: this status, `Content-Type: application/problem+json`, `Retry-After` when
    /// set, this body.
    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.body(serde_json::to_string(self).unwrap_or_else(|_| "{}".into()))
    }
}

/// `not_ready` / `not-ready` → `Not ready`.
fn title_of(reason: &str) -> String {
    let words = reason.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }

    #[test]
    fn body_and_headers() {
        let p = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "rpc_unavailable",
            "no RPC answered",
        )
        .retry_after(Duration::from_millis(2500))
        .extension("pool", serde_json::json!({"queued": 3}));
        let res = p.response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "3");
        let body = res.into_body().try_into_bytes().unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "type": "urn:x402-zk:problem:rpc-unavailable",
                "title": "Rpc unavailable",
                "status": 503,
                "detail": "no RPC answered",
                "reason": "rpc_unavailable",
                "retryAfter": 3,
                "pool": {"queued": 3},
            })
        );
        let plain =
            Problem::new(StatusCode::NOT_FOUND, "not-found", "no such resource").title("Not found");
        let res = plain.response();
        assert!(res.headers().get(header::RETRY_AFTER).is_none());
        let v: Value = serde_json::from_slice(&res.into_body().try_into_bytes().unwrap()).unwrap();
        assert_eq!(v["title"], "Not found");
        assert!(v.get("retryAfter").is_none());
    }
}
