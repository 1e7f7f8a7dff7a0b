//! The proof cache: moka, keyed by the SHA-256 of the full canonical witness
//! ([`crate::model::ProofInputs::cache_key`]).
//!
//! - One client can never receive another's proof: the key covers every private input, so a hit
//!   needs a request that already contains the secret and the signature.
//! - Identical concurrent requests are proved once: moka runs one initialising future per key and
//!   hands its result to every waiter. Errors are shared with the waiters but never cached.
//! - A size of 0 disables the cache (and the coalescing).

use crate::error::ApiError;
use crate::model::ProofOutput;
use moka::future::Cache;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Where a response came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheStatus {
    /// Served from the cache (or from an identical in-flight request).
    Hit,
    /// Proved for this request.
    Miss,
}

impl CacheStatus {
    /// Value of the `X-Cache` response header.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheStatus::Hit => "HIT",
            CacheStatus::Miss => "MISS",
        }
    }
}

/// The proof cache.
pub struct ProofCache {
    inner: Option<Cache<[u8; 32], Arc<ProofOutput>>>,
}

impl ProofCache {
    /// A cache of at most `size` proofs, each kept at most `ttl`.
    pub fn new(size: u64, ttl: Duration) -> Self {
        let inner = (size > 0).then(|| {
            Cache::builder()
                .max_capacity(size)
                .time_to_live(ttl)
                .build()
        });
        ProofCache { inner }
    }

    /// A cached proof for this key, if any.
    pub async fn get(&self, key: &[u8; 32]) -> Option<Arc<ProofOutput>> {
        match &self.inner {
            Some(c) => c.get(key).await,
            None => None,
        }
    }

    /// Returns the cached proof or runs `prove` (once per key across concurrent callers).
    pub async fn get_or_prove<F>(
        &self,
        key: [u8; 32],
        prove: F,
    ) -> Result<(Arc<ProofOutput>, CacheStatus), ApiError>
    where
        F: Future<Output = Result<ProofOutput, ApiError>>,
    {
        let Some(c) = &self.inner else {
            return prove.await.map(|p| (Arc::new(p), CacheStatus::Miss));
        };
        let entry = c
            .entry(key)
            .or_try_insert_with(async move { prove.await.map(Arc::new) })
            .await
            .map_err(|e: Arc<ApiError>| (*e).clone())?;
        let status = if entry.is_fresh() {
            CacheStatus::Miss
        } else {
            CacheStatus::Hit
        };
        Ok((entry.into_value(), status))
    }

    /// Number of cached proofs (after applying pending evictions).
    pub async fn size(&self) -> u64 {
        match &self.inner {
            Some(c) => {
                c.run_pending_tasks().await;
                c.entry_count()
            }
            None => 0,
        }
    }
}
