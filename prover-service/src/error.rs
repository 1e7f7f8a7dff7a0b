//! The service's single error type and its `application/problem+json` rendering (RFC 9457).
//!
//! Every error the service can return — its own, actix's extractor errors (routed here by the
//! handlers configured in [`crate::app`]), 404 and 405 — is an [`ApiError`], so a client always
//! receives a JSON problem document whose `type` is a stable URI naming the reason (the shape is
//! the service kit's [`Problem`], shared with the facilitator).
//!
//! Problem details never echo private inputs: `detail` names the offending *field*, never its value.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use std::time::Duration;
use x402_zk_circuits::wire::reason;
use x402_zk_service_kit::limits;
use x402_zk_service_kit::problem::{self, Problem};

/// Everything a request can fail with. One variant per reason a client can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON, does not match the schema, or has an unknown field (400).
    #[error("malformed request: {0}")]
    Malformed(String),
    /// A field element is ≥ the BN254 scalar field modulus (400). Values are never reduced.
    #[error("{0}: value is not below the BN254 scalar field modulus")]
    NotInField(&'static str),
    /// The body exceeds the configured size limit (413).
    #[error("request body exceeds {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The request's `Content-Type` is not `application/json` (415).
    #[error("content type must be application/json")]
    UnsupportedMediaType,
    /// The attester's EdDSA-Poseidon signature does not verify for this receipt (422).
    #[error("the attester signature does not verify for this receipt")]
    InvalidSignature,
    /// The receipt's amount is below the requested minimum (422).
    #[error("the receipt amount is below the required minimum")]
    AmountBelowMinimum,
    /// Another check of the statement fails (time window, key not on curve, …) (422).
    #[error("the receipt does not satisfy the statement: {0}")]
    StatementUnsatisfied(String),
    /// Too many requests from this client (429).
    #[error("{}", limits::RATE_LIMITED_DETAIL)]
    RateLimited {
        /// When the client may retry.
        retry_after: Duration,
    },
    /// The proving queue is full (503).
    #[error("the proving queue is full")]
    QueueFull {
        /// Suggested wait before retrying.
        retry_after: Duration,
    },
    /// The service is shutting down and accepts no new proofs (503).
    #[error("the service is shutting down")]
    ShuttingDown {
        /// Suggested wait before retrying (on another instance).
        retry_after: Duration,
    },
    /// The service is not ready (keys not loaded) (503).
    #[error("the service is not ready")]
    NotReady,
    /// No route matches the path (404).
    #[error("no such resource")]
    NotFound,
    /// The route exists but not for this method (405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A bug or an unexpected failure of the prover (500). The detail is logged, not returned.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// Stable, low-cardinality reason slug: used in the problem `type`, in logs and as the
    /// `reason` label of `proof_generation_errors_total`.
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::Malformed(_) => reason::MALFORMED_REQUEST,
            ApiError::NotInField(_) => reason::VALUE_NOT_IN_FIELD,
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::InvalidSignature => reason::INVALID_SIGNATURE,
            ApiError::AmountBelowMinimum => reason::AMOUNT_BELOW_MINIMUM,
            ApiError::StatementUnsatisfied(_) => reason::STATEMENT_UNSATISFIED,
            ApiError::RateLimited { .. } => limits::RATE_LIMITED,
            ApiError::QueueFull { .. } => "queue_full",
            ApiError::ShuttingDown { .. } => "shutting_down",
            ApiError::NotReady => "not_ready",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Internal(_) => "internal",
        }
    }

    /// Every reason slug, so metrics can be pre-registered at zero.
    pub const ALL_REASONS: &'static [&'static str] = &[
        reason::MALFORMED_REQUEST,
        reason::VALUE_NOT_IN_FIELD,
        "payload_too_large",
        "unsupported_media_type",
        reason::INVALID_SIGNATURE,
        reason::AMOUNT_BELOW_MINIMUM,
        reason::STATEMENT_UNSATISFIED,
        limits::RATE_LIMITED,
        "queue_full",
        "shutting_down",
        "not_ready",
        "not_found",
        "method_not_allowed",
        "internal",
    ];

    /// The problem `type` URI for this error.
    pub fn type_uri(&self) -> String {
        problem::type_uri(self.reason())
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::Malformed(_) => "Malformed request",
            ApiError::NotInField(_) => "Value not in the scalar field",
            ApiError::PayloadTooLarge { .. } => "Payload too large",
            ApiError::UnsupportedMediaType => "Unsupported media type",
            ApiError::InvalidSignature => "Invalid attester signature",
            ApiError::AmountBelowMinimum => "Amount below minimum",
            ApiError::StatementUnsatisfied(_) => "Statement not satisfied",
            ApiError::RateLimited { .. } => limits::RATE_LIMITED_TITLE,
            ApiError::QueueFull { .. } => "Proving queue full",
            ApiError::ShuttingDown { .. } => "Shutting down",
            ApiError::NotReady => "Not ready",
            ApiError::NotFound => "Not found",
            ApiError::MethodNotAllowed => "Method not allowed",
            ApiError::Internal(_) => "Internal error",
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::RateLimited { retry_after }
            | ApiError::QueueFull { retry_after }
            | ApiError::ShuttingDown { retry_after } => Some(*retry_after),
            ApiError::NotReady => Some(Duration::from_secs(1)),
            _ => None,
        }
    }

    fn detail(&self) -> String {
        match self {
            // Never leak internal details to clients; they are logged with the request id.
            ApiError::Internal(_) => "internal error".to_string(),
            other => other.to_string(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Malformed(_) | ApiError::NotInField(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::InvalidSignature
            | ApiError::AmountBelowMinimum
            | ApiError::StatementUnsatisfied(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::QueueFull { .. } | ApiError::ShuttingDown { .. } | ApiError::NotReady => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut body =
            Problem::new(self.status_code(), self.reason(), self.detail()).title(self.title());
        if let Some(wait) = self.retry_after() {
            body = body.retry_after(wait);
        }
        let mut res = body.response();
        if matches!(self, ApiError::MethodNotAllowed) {
            res.headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_uris_are_stable_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for r in ApiError::ALL_REASONS {
            assert!(seen.insert(*r));
        }
        assert_eq!(
            ApiError::InvalidSignature.type_uri(),
            "urn:x402-zk:problem:invalid-signature"
        );
        assert_eq!(
            ApiError::AmountBelowMinimum.type_uri(),
            "urn:x402-zk:problem:amount-below-minimum"
        );
    }
}
