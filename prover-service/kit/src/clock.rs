//! Wall-clock time as the protocol counts it: unix seconds.
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds now (0 if the system clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
