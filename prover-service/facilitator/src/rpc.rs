//! Solana JSON-RPC with an ordered fallback list, retry with exponential backoff, and a circuit
//! breaker per endpoint: an endpoint that fails `breaker_threshold` times in a row is skipped for
//! `breaker_cooldown`, so a dead primary costs one timeout, not one per request.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// Every endpoint failed (or was open-circuited) on every attempt.
    #[error("all RPC endpoints failed: {0}")]
    Unavailable(String),
    /// The node answered with a JSON-RPC error: retrying elsewhere would not help.
    #[error("RPC error {code}: {message}")]
    Node {
        code: i64,
        message: String,
        data: Option<Value>,
    },
}

#[derive(Clone, Debug)]
pub struct RpcOptions {
    pub attempts: u32,
    pub base_backoff: Duration,
    pub timeout: Duration,
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
}

impl Default for RpcOptions {
    fn default() -> Self {
        RpcOptions {
            attempts: 3,
            base_backoff: Duration::from_millis(100),
            timeout: Duration::from_secs(10),
            breaker_threshold: 3,
            breaker_cooldown: Duration::from_secs(15),
        }
    }
}

#[derive(Default)]
struct Breaker {
    consecutive_failures: u32,
    open_until: Option<Instant>,
}

/// Per-endpoint counters, exported in `/health` and `/metrics`.
#[derive(Default)]
struct EndpointCounters {
    ok: AtomicU64,
    errors: AtomicU64,
    breaker_opens: AtomicU64,
}

/// What one endpoint has done since start (see [`RpcPool::stats`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointStats {
    /// Position in the fallback list (0 = primary).
    pub index: usize,
    /// `host:port` of the URL only: paths and queries can carry API keys.
    pub host: String,
    /// Calls this endpoint answered (a JSON-RPC error from a healthy node counts as answered).
    pub ok: u64,
    /// Transport failures, 5xx and malformed bodies.
    pub errors: u64,
    /// Times its circuit breaker opened.
    pub breaker_opens: u64,
    /// Whether the circuit is open now (the endpoint is being skipped).
    pub circuit_open: bool,
}

/// An account as `getAccountInfo` returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Owner program, base58.
    pub owner: String,
    pub data: Vec<u8>,
}

pub struct RpcPool {
    urls: Vec<String>,
    breakers: Vec<Mutex<Breaker>>,
    counters: Vec<EndpointCounters>,
    /// Calls answered by an endpoint other than the primary.
    fallback_answers: AtomicU64,
    http: reqwest::Client,
    opts: RpcOptions,
}

/// `host:port` of a URL, without scheme, user info, path or query (those may hold secrets).
pub fn redacted_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_string()
}

impl RpcPool {
    /// `urls` in order of preference; the first is the primary.
    pub fn new(urls: Vec<String>, opts: RpcOptions) -> Self {
        assert!(!urls.is_empty(), "RpcPool needs at least one URL");
        let http = reqwest::Client::builder()
            .timeout(opts.timeout)
            .build()
            .expect("reqwest client");
        let breakers = urls
            .iter()
            .map(|_| Mutex::new(Breaker::default()))
            .collect();
        let counters = urls.iter().map(|_| EndpointCounters::default()).collect();
        RpcPool {
            urls,
            breakers,
            counters,
            fallback_answers: AtomicU64::new(0),
            http,
            opts,
        }
    }

    /// Counters of every endpoint, in fallback order.
    pub fn stats(&self) -> Vec<EndpointStats> {
        self.urls
            .iter()
            .enumerate()
            .map(|(i, url)| {
                let c = &self.counters[i];
                EndpointStats {
                    index: i,
                    host: redacted_host(url),
                    ok: c.ok.load(Ordering::Relaxed),
                    errors: c.errors.load(Ordering::Relaxed),
                    breaker_opens: c.breaker_opens.load(Ordering::Relaxed),
                    circuit_open: self.is_open(i),
                }
            })
            .collect()
    }

    /// Calls answered by a fallback endpoint (not the primary) since start.
    pub fn fallback_answers(&self) -> u64 {
        self.fallback_answers.load(Ordering::Relaxed)
    }

    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// The URL that last answered successfully would be ideal; we report the first closed circuit.
    pub fn is_open(&self, i: usize) -> bool {
        let b = self.breakers[i].lock().expect("breaker lock");
        b.open_until.is_some_and(|t| t > Instant::now())
    }

    fn record(&self, i: usize, ok: bool) {
        let c = &self.counters[i];
        let mut b = self.breakers[i].lock().expect("breaker lock");
        if ok {
            c.ok.fetch_add(1, Ordering::Relaxed);
            if i > 0 {
                self.fallback_answers.fetch_add(1, Ordering::Relaxed);
            }
            *b = Breaker::default();
            return;
        }
        c.errors.fetch_add(1, Ordering::Relaxed);
        b.consecutive_failures += 1;
        if b.consecutive_failures >= self.opts.breaker_threshold {
            let was_open = b.open_until.is_some_and(|t| t > Instant::now());
            b.open_until = Some(Instant::now() + self.opts.breaker_cooldown);
            if !was_open {
                c.breaker_opens.fetch_add(1, Ordering::Relaxed);
            }
            tracing::warn!(host = %redacted_host(&self.urls[i]), "RPC endpoint circuit opened");
        }
    }

    /// Calls `method` with `params`; returns `result`. Transport failures and 5xx move on to the
    /// next endpoint; a JSON-RPC error from a healthy node is returned as is.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let mut last = String::from("no endpoint tried");
        for attempt in 0..self.opts.attempts {
            if attempt > 0 {
                let backoff = self.opts.base_backoff * 2u32.pow(attempt - 1);
                let jitter = Duration::from_millis(rand::random::<u64>() % 50);
                tokio::time::sleep(backoff + jitter).await;
            }
            for (i, url) in self.urls.iter().enumerate() {
                // All circuits open: still try the endpoints rather than fail without trying.
                let all_open = (0..self.urls.len()).all(|j| self.is_open(j));
                if self.is_open(i) && !all_open {
                    continue;
                }
                let host = redacted_host(url);
                match self.http.post(url).json(&body).send().await {
                    Ok(resp) if resp.status().is_server_error() => {
                        self.record(i, false);
                        last = format!("{host}: HTTP {}", resp.status());
                    }
                    Ok(resp) => match resp.json::<Value>().await {
                        Ok(v) => {
                            self.record(i, true);
                            if let Some(err) = v.get("error") {
                                return Err(RpcError::Node {
                                    code: err["code"].as_i64().unwrap_or(0),
                                    message: err["message"].as_str().unwrap_or("").to_string(),
                                    data: err.get("data").cloned(),
                                });
                            }
                            return Ok(v.get("result").cloned().unwrap_or(Value::Null));
                        }
                        Err(e) => {
                            self.record(i, false);
                            last = format!("{host}: bad JSON-RPC body: {e}");
                        }
                    },
                    Err(e) => {
                        self.record(i, false);
                        // reqwest's message names the full URL: keep only host:port.
                        let kind = if e.is_timeout() {
                            "timed out"
                        } else if e.is_connect() {
                            "connection failed"
                        } else {
                            "request failed"
                        };
                        last = format!("{host}: {kind}");
                    }
                }
                tracing::debug!(%last, "RPC endpoint failed, trying the next one");
            }
        }
        Err(RpcError::Unavailable(last))
    }

    /// The account (owner and decoded data) at `commitment`, or `None` when it does not exist.
    pub async fn account(
        &self,
        address: &str,
        commitment: &str,
    ) -> Result<Option<Account>, RpcError> {
        let r = self
            .call(
                "getAccountInfo",
                json!([address, {"encoding": "base64", "commitment": commitment}]),
            )
            .await?;
        let value = &r["value"];
        if value.is_null() {
            return Ok(None);
        }
        use base64::Engine;
        let owner = value["owner"]
            .as_str()
            .ok_or_else(|| RpcError::Unavailable("getAccountInfo: no owner".into()))?
            .to_string();
        let b64 = value["data"][0].as_str().unwrap_or_default();
        let data = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| RpcError::Unavailable(format!("bad account data: {e}")))?;
        Ok(Some(Account { owner, data }))
    }

    /// Account data (decoded) at `commitment`, or `None` when the account does not exist.
    pub async fn account_data(
        &self,
        address: &str,
        commitment: &str,
    ) -> Result<Option<Vec<u8>>, RpcError> {
        Ok(self.account(address, commitment).await?.map(|a| a.data))
    }

    pub async fn latest_blockhash(&self) -> Result<String, RpcError> {
        let r = self
            .call("getLatestBlockhash", json!([{"commitment": "confirmed"}]))
            .await?;
        r["value"]["blockhash"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| RpcError::Unavailable("getLatestBlockhash: no blockhash".into()))
    }

    /// The finalized transaction in `jsonParsed` encoding, or `None` if not (yet) finalized.
    pub async fn finalized_transaction(&self, signature: &str) -> Result<Option<Value>, RpcError> {
        let r = self
            .call(
                "getTransaction",
                json!([signature, {"encoding": "jsonParsed", "commitment": "finalized", "maxSupportedTransactionVersion": 0}]),
            )
            .await?;
        Ok(if r.is_null() { None } else { Some(r) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_host_drops_scheme_credentials_path_and_query() {
        assert_eq!(redacted_host("http://127.0.0.1:8899"), "127.0.0.1:8899");
        assert_eq!(
            redacted_host("https://user:pw@rpc.example.com/v1/abc?api-key=SECRET"),
            "rpc.example.com"
        );
        assert_eq!(
            redacted_host("https://rpc.example.com?api-key=S"),
            "rpc.example.com"
        );
    }

    #[tokio::test]
    async fn dead_endpoint_is_counted_and_its_circuit_opens() {
        // A port nothing listens on: bind, note the port, drop the listener.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pool = RpcPool::new(
            vec![format!("http://127.0.0.1:{port}/?api-key=SECRET")],
            RpcOptions {
                attempts: 3,
                base_backoff: Duration::from_millis(1),
                timeout: Duration::from_secs(2),
                breaker_threshold: 2,
                breaker_cooldown: Duration::from_secs(60),
            },
        );
        let err = pool.call("getHealth", json!([])).await.unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("connection failed"), "{msg}");
        assert!(!msg.contains("SECRET"), "RPC URL query leaked: {msg}");
        let s = &pool.stats()[0];
        assert_eq!((s.ok, s.errors, s.breaker_opens), (0, 3, 1));
        assert!(s.circuit_open);
        assert_eq!(s.host, format!("127.0.0.1:{port}"));
        assert_eq!(pool.fallback_answers(), 0);
    }
}
