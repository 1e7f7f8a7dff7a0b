//! The chain config guard: the facilitator serves `/verify` and `/settle` only while its own
//! settings agree with the program's on-chain `Config` — the attester key, the verifying key hash,
//! a clock skew no larger than the chain's, and not paused. Otherwise `/verify` could say valid
//! and `/settle` then fail on chain (or, worse, the facilitator would vouch for proofs under a key
//! the chain no longer trusts).
//!
//! [`ChainGuard::check`] reads the `Config` PDA (the program crate's seeds and account type) and
//! records the outcome; the server runs it before it starts listening and then on a timer
//! (`--config-check-interval-secs`, every 2 s at most while not matching). Until the first
//! successful read, and whenever the last read disagreed, the guard is closed: the routes answer
//! 503 `config_mismatch` with the reason, `/health` shows it, and every change is logged. A failed
//! read after a successful one keeps the last verdict (an RPC hiccup does not stop service).
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::RwLock;

use anchor_client::anchor_lang::prelude::Pubkey;
use anchor_client::anchor_lang::AccountDeserialize;
use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use serde::Serialize;
use x402_zk_circuits::babyjubjub::Point;
use x402_zk_circuits::field::fr_to_be_bytes;
use x402_zk_verifier::state::{Config as ChainConfig, CONFIG_SEED};

use crate::rpc::RpcPool;

/// What this facilitator runs with, in the program's encodings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Attester public key `Ax ‖ Ay`, 32 bytes big-endian each (as `Config.attester`).
    pub attester: [u8; 64],
    /// SHA-256 of the verifying key in the program's layout (as `Config.vk_hash`).
    pub vk_hash: [u8; 32],
    /// `--max-clock-skew-seconds`.
    pub max_clock_skew_seconds: u64,
}

/// `Ax ‖ Ay` (32 bytes big-endian each), the program's encoding of an attester key.
pub fn attester_bytes(p: &Point) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&fr_to_be_bytes(&p.x));
    out[32..].copy_from_slice(&fr_to_be_bytes(&p.y));
    out
}

/// `SolanaVk::sha256`: SHA-256 of the key bytes the ceremony's Solana export writes
/// (`solana_vk.bin`), which is what the program computes into `Config.vk_hash` when the authority
/// writes that key. The one definition of the key hash (the prover reports the same).
pub fn vk_sha256(vk: &VerifyingKey<Bn254>) -> [u8; 32] {
    x402_zk_circuits::export::solana::vk(vk).sha256()
}

fn short_hex(b: &[u8]) -> String {
    format!("0x{}…", hex::encode(&b[..b.len().min(8)]))
}

/// Every way `chain` disagrees with `expected`, joined with "; ". `Ok` when they agree.
pub fn compare(expected: &Expected, chain: &ChainConfig) -> Result<(), String> {
    let mut problems = Vec::new();
    if chain.attester != expected.attester {
        problems.push(format!(
            "attester key differs from chain Config (facilitator {}, chain {})",
            short_hex(&expected.attester),
            short_hex(&chain.attester)
        ));
    }
    if chain.vk_hash != expected.vk_hash {
        problems.push(format!(
            "verifying key hash differs from chain Config (facilitator {}, chain {})",
            short_hex(&expected.vk_hash),
            short_hex(&chain.vk_hash)
        ));
    }
    if expected.max_clock_skew_seconds > u64::from(chain.max_clock_skew_seconds) {
        problems.push(format!(
            "max clock skew {} s exceeds the chain Config's {} s (a payload this facilitator \
             accepts would fail on chain)",
            expected.max_clock_skew_seconds, chain.max_clock_skew_seconds
        ));
    }
    if chain.paused {
        problems.push("payments are paused in chain Config".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// What `/health` shows as `chainConfig`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GuardStatus {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub struct ChainGuard {
    pub expected: Expected,
    program_id: Pubkey,
    status: RwLock<GuardStatus>,
    /// Whether `Config` has been read successfully at least once.
    read_once: AtomicBool,
    /// `Config.max_receipt_age_seconds` of the last decoded read ([`UNKNOWN_CAP`] before one):
    /// offers with a larger `maxAge` are refused (`max_age_above_chain_cap`).
    max_receipt_age: AtomicU64,
}

/// [`ChainGuard::max_receipt_age`] before `Config` was decoded.
const UNKNOWN_CAP: u64 = u64::MAX;

impl ChainGuard {
    /// A closed guard ("not read yet") for the program `program_id`.
    pub fn new(program_id: [u8; 32], expected: Expected) -> Self {
        ChainGuard {
            expected,
            program_id: Pubkey::new_from_array(program_id),
            status: RwLock::new(GuardStatus {
                ok: false,
                reason: Some("chain Config not read yet".into()),
            }),
            read_once: AtomicBool::new(false),
            max_receipt_age: AtomicU64::new(UNKNOWN_CAP),
        }
    }

    /// The chain's receipt age cap (`Config.max_receipt_age_seconds`) as last read, if ever read.
    pub fn max_receipt_age(&self) -> Option<u64> {
        match self.max_receipt_age.load(Ordering::SeqCst) {
            UNKNOWN_CAP => None,
            cap => Some(cap),
        }
    }

    /// The `Config` PDA.
    pub fn config_address(&self) -> Pubkey {
        Pubkey::find_program_address(&[CONFIG_SEED], &self.program_id).0
    }

    pub fn status(&self) -> GuardStatus {
        self.status
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// `Err(reason)` while the guard is closed.
    pub fn ok(&self) -> Result<(), String> {
        let s = self.status();
        if s.ok {
            Ok(())
        } else {
            Err(s.reason.unwrap_or_default())
        }
    }

    /// Records a verdict (logging it when it changes).
    pub fn record(&self, verdict: Result<(), String>) {
        let next = match verdict {
            Ok(()) => GuardStatus {
                ok: true,
                reason: None,
            },
            Err(reason) => GuardStatus {
                ok: false,
                reason: Some(reason),
            },
        };
        let mut s = self.status.write().unwrap_or_else(|e| e.into_inner());
        if *s != next {
            match &next.reason {
                None => tracing::info!("chain Config matches: serving /verify and /settle"),
                Some(r) => tracing::error!(reason = %r,
                    "chain Config disagrees: refusing /verify and /settle (503 config_mismatch)"),
            }
        }
        *s = next;
    }

    /// Reads `Config` through `rpc` and records the verdict; returns whether the guard is open.
    pub async fn check(&self, rpc: &RpcPool) -> bool {
        let address = self.config_address();
        let verdict = match rpc.account(&address.to_string(), "confirmed").await {
            Err(e) => {
                if self.read_once.load(Ordering::SeqCst) {
                    // Keep the last verdict through an RPC failure.
                    tracing::warn!(error = %e, "chain Config re-check failed; keeping the last verdict");
                    return self.ok().is_ok();
                }
                Err(format!("chain Config not read yet: {e}"))
            }
            Ok(account) => {
                self.read_once.store(true, Ordering::SeqCst);
                self.judge(&address, account.map(|a| (a.owner, a.data)))
            }
        };
        self.record(verdict);
        self.ok().is_ok()
    }

    /// The verdict for the account read at `address` (owner base58 and data), if any.
    pub fn judge(
        &self,
        address: &Pubkey,
        account: Option<(String, Vec<u8>)>,
    ) -> Result<(), String> {
        let Some((owner, data)) = account else {
            return Err(format!(
                "chain Config account {address} does not exist (program {} not initialized?)",
                self.program_id
            ));
        };
        if owner != self.program_id.to_string() {
            return Err(format!(
                "chain Config account {address} is not owned by program {}",
                self.program_id
            ));
        }
        let config = ChainConfig::try_deserialize(&mut data.as_slice())
            .map_err(|e| format!("chain Config account {address} cannot be decoded: {e}"))?;
        let cap = u64::from(config.max_receipt_age_seconds);
        if self.max_receipt_age.swap(cap, Ordering::SeqCst) != cap {
            tracing::info!(
                max_receipt_age_seconds = cap,
                "chain Config receipt age cap: offers with a larger maxAge are refused"
            );
        }
        compare(&self.expected, &config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_client::anchor_lang::AccountSerialize;

    fn expected() -> Expected {
        Expected {
            attester: [3; 64],
            vk_hash: [4; 32],
            max_clock_skew_seconds: 60,
        }
    }

    fn chain() -> ChainConfig {
        ChainConfig {
            authority: Pubkey::new_from_array([1; 32]),
            attester: [3; 64],
            max_clock_skew_seconds: 60,
            paused: false,
            bump: 255,
            domain: [5; 32],
            vk_hash: [4; 32],
            max_receipt_age_seconds: 600,
            nullifier_rent_lamports: 1_224_960,
        }
    }

    #[test]
    fn compares_attester_vk_hash_skew_and_paused() {
        assert_eq!(compare(&expected(), &chain()), Ok(()));
        // A smaller skew than the chain's is fine: everything accepted still verifies on chain.
        let mut e = expected();
        e.max_clock_skew_seconds = 10;
        assert_eq!(compare(&e, &chain()), Ok(()));

        let mut c = chain();
        c.attester[63] ^= 1;
        let r = compare(&expected(), &c).unwrap_err();
        assert!(
            r.starts_with("attester key differs from chain Config"),
            "{r}"
        );

        let mut c = chain();
        c.vk_hash = [9; 32];
        let r = compare(&expected(), &c).unwrap_err();
        assert!(r.contains("verifying key hash differs"), "{r}");

        let mut c = chain();
        c.max_clock_skew_seconds = 59;
        let r = compare(&expected(), &c).unwrap_err();
        assert!(
            r.contains("max clock skew 60 s exceeds the chain Config's 59 s"),
            "{r}"
        );

        let mut c = chain();
        c.paused = true;
        assert_eq!(
            compare(&expected(), &c).unwrap_err(),
            "payments are paused in chain Config"
        );

        // Every disagreement is named.
        let mut c = chain();
        c.attester = [0; 64];
        c.paused = true;
        let r = compare(&expected(), &c).unwrap_err();
        assert!(r.contains("attester") && r.contains("paused"), "{r}");
    }

    #[test]
    fn guard_is_closed_until_a_matching_read_and_judges_the_account() {
        let program = [8u8; 32];
        let g = ChainGuard::new(program, expected());
        assert_eq!(g.ok().unwrap_err(), "chain Config not read yet");
        assert_eq!(g.max_receipt_age(), None);
        let addr = g.config_address();
        let owner = Pubkey::new_from_array(program).to_string();
        let mut data = Vec::new();
        chain().try_serialize(&mut data).unwrap();

        assert_eq!(g.judge(&addr, Some((owner.clone(), data.clone()))), Ok(()));
        assert_eq!(g.max_receipt_age(), Some(600));
        assert!(g.judge(&addr, None).unwrap_err().contains("does not exist"));
        assert!(g
            .judge(&addr, Some((Pubkey::default().to_string(), data.clone())))
            .unwrap_err()
            .contains("not owned by program"));
        assert!(g
            .judge(&addr, Some((owner.clone(), data[..20].to_vec())))
            .unwrap_err()
            .contains("cannot be decoded"));

        g.record(Ok(()));
        assert_eq!(g.ok(), Ok(()));
        assert_eq!(
            serde_json::to_value(g.status()).unwrap(),
            serde_json::json!({"ok": true})
        );
        g.record(Err("payments are paused in chain Config".into()));
        assert_eq!(
            serde_json::to_value(g.status()).unwrap(),
            serde_json::json!({"ok": false, "reason": "payments are paused in chain Config"})
        );
    }

    #[test]
    fn vk_hash_is_the_sha256_of_the_key_bytes_the_program_stores() {
        // `Config.vk_hash` is what the program computes over the key bytes it is given
        // (`vk::key_hash`), and those bytes are the ceremony export's `SolanaVk::to_bytes`.
        let keys = x402_zk_circuits::ProvingKeys::dev_setup_deterministic().unwrap();
        let bytes = x402_zk_circuits::export::solana::vk(&keys.verifier.vk).to_bytes();
        assert_eq!(bytes.len(), x402_zk_verifier::vk::VK_LEN);
        let key = x402_zk_verifier::vk::validate_key(&bytes).expect("a valid key");
        assert_eq!(
            vk_sha256(&keys.verifier.vk),
            x402_zk_verifier::vk::key_hash(&key)
        );
    }
}
