//! Per-client-IP rate limiting (governor, GCRA) and client IP resolution.
//!
//! A client gets `limit` proof requests per `window` (burst `limit`, refilled evenly over the
//! window). The client IP is the TCP peer address, unless the peer is a configured trusted proxy:
//! then it is the right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries
//! further left are client-controlled and never trusted).

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use crate::problem::Problem;

/// The `reason` of a rate-limit refusal, in both services' problem bodies and metrics.
pub const RATE_LIMITED: &str = "rate_limited";
/// Its problem `title`.
pub const RATE_LIMITED_TITLE: &str = "Too many requests";
/// Its problem `detail`.
pub const RATE_LIMITED_DETAIL: &str = "rate limit exceeded";

/// The 429 problem body of a rate-limit refusal, retryable after `wait` (both services answer it).
pub fn rate_limited(wait: Duration) -> Problem {
    Problem::new(
        actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        RATE_LIMITED,
        RATE_LIMITED_DETAIL,
    )
    .title(RATE_LIMITED_TITLE)
    .retry_after(wait)
}

/// A keyed rate limiter; `None` inside means disabled.
pub struct RateLimiter {
    inner: Option<DefaultKeyedRateLimiter<IpAddr>>,
    clock: DefaultClock,
}

impl RateLimiter {
    /// `limit` requests per `window` per IP; `limit == 0` disables limiting.
    pub fn new(limit: u32, window: Duration) -> Self {
        let inner = NonZeroU32::new(limit).map(|n| {
            let period = (window / n.get()).max(Duration::from_nanos(1));
            let quota = Quota::with_period(period)
                .expect("non-zero period")
                .allow_burst(n);
            DefaultKeyedRateLimiter::keyed(quota)
        });
        RateLimiter {
            inner,
            clock: DefaultClock::default(),
        }
    }

    /// Takes one cell for `ip`; on refusal returns how long until the next one is available.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        match &self.inner {
            None => Ok(()),
            Some(l) => l
                .check_key(&ip)
                .map_err(|not_until| not_until.wait_time_from(self.clock.now())),
        }
    }

    /// Forgets clients whose state is back to full (bounds memory); call periodically.
    pub fn retain_recent(&self) {
        if let Some(l) = &self.inner {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Number of client IPs currently tracked.
    pub fn tracked_clients(&self) -> usize {
        self.inner.as_ref().map_or(0, |l| l.len())
    }
}

/// Resolves the client IP of a request (see the module doc).
pub fn client_ip(req: &ServiceRequest, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    Some(resolve_client_ip(peer, req.headers(), trusted_proxies))
}

/// The pure part of [`client_ip`], for unit tests.
pub fn resolve_client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        let Ok(s) = v.to_str() else { return peer };
        for part in s.split(',') {
            match part.trim().parse::<IpAddr>() {
                Ok(ip) => hops.push(ip),
                // A malformed hop: trust nothing to its left.
                Err(_) => hops.clear(),
            }
        }
    }
    hops.into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn hdrs(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_str(xff).unwrap(),
        );
        h
    }

    #[test]
    fn xff_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.9".parse().unwrap();
        let h = hdrs("1.2.3.4, 5.6.7.8");
        assert_eq!(resolve_client_ip(other, &h, &[proxy]), other);
        assert_eq!(
            resolve_client_ip(proxy, &h, &[proxy]),
            "5.6.7.8".parse::<IpAddr>().unwrap()
        );
        let h = hdrs("1.2.3.4, 10.0.0.1");
        assert_eq!(
            resolve_client_ip(proxy, &h, &[proxy]),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(resolve_client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
        let h = hdrs("garbage");
        assert_eq!(resolve_client_ip(proxy, &h, &[proxy]), proxy);
    }

    #[test]
    fn limits_then_reports_wait() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(l.check(ip).is_ok());
        assert!(l.check(ip).is_ok());
        let wait = l.check(ip).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(30));
        assert!(l.check("127.0.0.2".parse().unwrap()).is_ok());
        assert!(RateLimiter::new(0, Duration::from_secs(1))
            .check(ip)
            .is_ok());
    }
}
