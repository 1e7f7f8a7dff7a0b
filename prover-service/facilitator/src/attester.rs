//! The attester: signs a receipt only for a finalized transfer it has seen on-chain, once per
//! transaction signature. It learns the commitment `C`, never the payer's secret, so it cannot
//! link the later proof (which reveals only `Poseidon(secret, domain)`) to this payment.
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use ark_bn254::Fr;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Mutex;
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::field::{fr_from_str_checked, fr_to_decimal, fr_to_hex};
use x402_zk_circuits::receipt::Receipt;

use crate::rpc::{RpcError, RpcPool};

/// Memo prefix the payer puts before the 0x-hex commitment (docs/PROTOCOL.md, flow step 2).
pub const MEMO_PREFIX: &str = "x402-zk:";
/// Native SOL, as an x402 `asset` string.
pub const NATIVE_SOL: &str = "11111111111111111111111111111111";

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttestRequest {
    /// Base58 transaction signature of the payment.
    pub tx_signature: String,
    /// 0x-hex (or decimal) `C = Poseidon(secret, 0)`, as put in the memo.
    pub commitment: String,
    /// Merchant the payment went to (base58).
    pub pay_to: String,
    /// Mint (base58), or the system program id for native SOL.
    pub asset: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptJson {
    pub pay_to: String,
    pub asset: String,
    /// Base units, decimal string.
    pub amount: String,
    /// Block time, unix seconds.
    pub paid_at: u64,
    /// 0x-hex.
    pub commitment: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignatureJson {
    pub r8x: String,
    pub r8y: String,
    pub s: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PointJson {
    pub x: String,
    pub y: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AttestResponse {
    pub receipt: ReceiptJson,
    pub signature: SignatureJson,
    pub attester: PointJson,
}

/// Why a receipt was refused. Each maps to a stable problem type and status.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("transaction not found or not finalized yet; retry after finalization")]
    NotFinalized,
    #[error("transaction failed on-chain")]
    TransactionFailed,
    #[error("transaction carries no x402-zk memo matching the commitment")]
    MemoMismatch,
    #[error("transaction moved no {asset} to {pay_to}")]
    NoTransfer { pay_to: String, asset: String },
    #[error("a receipt was already issued for this transaction")]
    AlreadyReceipted,
    #[error("RPC unavailable: {0}")]
    Rpc(#[from] RpcError),
}

impl AttestError {
    pub fn slug(&self) -> &'static str {
        match self {
            AttestError::Malformed(_) => "malformed-request",
            AttestError::NotFinalized => "not-finalized",
            AttestError::TransactionFailed => "transaction-failed",
            AttestError::MemoMismatch => "memo-mismatch",
            AttestError::NoTransfer { .. } => "no-transfer",
            AttestError::AlreadyReceipted => "already-receipted",
            AttestError::Rpc(_) => "rpc-unavailable",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AttestError::Malformed(_) => 400,
            AttestError::NotFinalized => 409,
            AttestError::AlreadyReceipted => 409,
            AttestError::Rpc(_) => 503,
            _ => 422,
        }
    }
}

/// Signatures already receipted, in memory and in an append-only file (one per line) so a
/// restart never issues a second receipt for the same payment.
pub struct ReceiptLedger {
    seen: Mutex<HashSet<String>>,
    path: Option<PathBuf>,
}

impl ReceiptLedger {
    pub fn open(path: Option<PathBuf>) -> std::io::Result<Self> {
        let mut seen = HashSet::new();
        if let Some(p) = &path {
            if p.exists() {
                for line in std::fs::read_to_string(p)?.lines() {
                    if !line.trim().is_empty() {
                        seen.insert(line.trim().to_string());
                    }
                }
            }
        }
        Ok(ReceiptLedger {
            seen: Mutex::new(seen),
            path,
        })
    }

    /// Records `sig`; false when it was already there.
    async fn claim(&self, sig: &str) -> std::io::Result<bool> {
        let mut seen = self.seen.lock().await;
        if seen.contains(sig) {
            return Ok(false);
        }
        if let Some(p) = &self.path {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)?;
            writeln!(f, "{sig}")?;
            f.sync_data()?;
        }
        seen.insert(sig.to_string());
        Ok(true)
    }
}

pub struct AttesterService {
    pub key: Attester,
    pub ledger: ReceiptLedger,
}

/// 32-byte account from base58, with a message naming the field.
pub fn pubkey_bytes(s: &str, what: &str) -> Result<[u8; 32], String> {
    let v = bs58::decode(s)
        .into_vec()
        .map_err(|e| format!("{what}: not base58: {e}"))?;
    v.try_into()
        .map_err(|_| format!("{what}: must be 32 bytes"))
}

/// Asset bytes: native SOL is 32 zero bytes (the system program id decodes to exactly that).
pub fn asset_bytes(s: &str) -> Result<[u8; 32], String> {
    pubkey_bytes(s, "asset")
}

impl AttesterService {
    pub async fn attest(
        &self,
        rpc: &RpcPool,
        req: &AttestRequest,
    ) -> Result<AttestResponse, AttestError> {
        let pay_to = pubkey_bytes(&req.pay_to, "payTo").map_err(AttestError::Malformed)?;
        let asset = asset_bytes(&req.asset).map_err(AttestError::Malformed)?;
        let commitment = fr_from_str_checked(&req.commitment, "commitment")
            .map_err(|e| AttestError::Malformed(e.to_string()))?;
        if bs58::decode(&req.tx_signature).into_vec().map(|v| v.len()) != Ok(64) {
            return Err(AttestError::Malformed(
                "txSignature: must be a base58 64-byte signature".into(),
            ));
        }
        let tx = rpc
            .finalized_transaction(&req.tx_signature)
            .await?
            .ok_or(AttestError::NotFinalized)?;
        let facts = inspect_transaction(&tx, &req.pay_to, &req.asset)?;
        if facts.memo_commitment != Some(commitment) {
            return Err(AttestError::MemoMismatch);
        }
        if !self
            .ledger
            .claim(&req.tx_signature)
            .await
            .map_err(|e| AttestError::Rpc(RpcError::Unavailable(e.to_string())))?
        {
            return Err(AttestError::AlreadyReceipted);
        }
        let receipt = Receipt {
            pay_to,
            asset,
            amount: facts.amount,
            paid_at: facts.paid_at,
            commitment,
        };
        let sig = receipt.sign(&self.key);
        let a = self.key.public();
        tracing::info!(tx = %req.tx_signature, "receipt issued");
        Ok(AttestResponse {
            receipt: ReceiptJson {
                pay_to: req.pay_to.clone(),
                asset: req.asset.clone(),
                amount: facts.amount.to_string(),
                paid_at: facts.paid_at,
                commitment: fr_to_hex(&commitment),
            },
            signature: SignatureJson {
                r8x: fr_to_decimal(&sig.r8.x),
                r8y: fr_to_decimal(&sig.r8.y),
                s: fr_to_decimal(&sig.s),
            },
            attester: PointJson {
                x: fr_to_decimal(&a.x),
                y: fr_to_decimal(&a.y),
            },
        })
    }
}

/// What the attester reads off a finalized transaction.
#[derive(Debug, PartialEq, Eq)]
pub struct TransferFacts {
    pub amount: u64,
    pub paid_at: u64,
    pub memo_commitment: Option<Fr>,
}

/// Reads amount (balance delta of `pay_to` in `asset`), block time and the x402-zk memo from a
/// `getTransaction` (jsonParsed) result. Balance deltas count every way of paying (plain
/// transfer, CPI, transferChecked) and nothing else.
pub fn inspect_transaction(
    tx: &Value,
    pay_to: &str,
    asset: &str,
) -> Result<TransferFacts, AttestError> {
    let meta = &tx["meta"];
    if !meta["err"].is_null() {
        return Err(AttestError::TransactionFailed);
    }
    let paid_at = tx["blockTime"].as_u64().ok_or(AttestError::NotFinalized)?;
    let keys = tx["transaction"]["message"]["accountKeys"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let key_at = |i: usize| -> Option<String> {
        let k = keys.get(i)?;
        k["pubkey"]
            .as_str()
            .or_else(|| k.as_str())
            .map(str::to_string)
    };
    let no_transfer = || AttestError::NoTransfer {
        pay_to: pay_to.to_string(),
        asset: asset.to_string(),
    };
    let amount = if asset == NATIVE_SOL {
        let idx = (0..keys.len())
            .find(|&i| key_at(i).as_deref() == Some(pay_to))
            .ok_or_else(no_transfer)?;
        let pre = meta["preBalances"][idx].as_u64().unwrap_or(0);
        let post = meta["postBalances"][idx].as_u64().unwrap_or(0);
        post.checked_sub(pre)
            .filter(|d| *d > 0)
            .ok_or_else(no_transfer)?
    } else {
        let sum = |field: &str| -> u64 {
            meta[field]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter(|b| {
                            b["owner"].as_str() == Some(pay_to) && b["mint"].as_str() == Some(asset)
                        })
                        .filter_map(|b| b["uiTokenAmount"]["amount"].as_str()?.parse::<u64>().ok())
                        .sum()
                })
                .unwrap_or(0)
        };
        sum("postTokenBalances")
            .checked_sub(sum("preTokenBalances"))
            .filter(|d| *d > 0)
            .ok_or_else(no_transfer)?
    };
    let memo_commitment = tx["transaction"]["message"]["instructions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|ix| ix["program"].as_str() == Some("spl-memo"))
        .filter_map(|ix| ix["parsed"].as_str())
        .filter_map(|m| m.strip_prefix(MEMO_PREFIX))
        .find_map(|c| fr_from_str_checked(c.trim(), "memo").ok());
    Ok(TransferFacts {
        amount,
        paid_at,
        memo_commitment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PAY_TO: &str = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";

    fn sol_tx(delta: u64, memo: &str) -> Value {
        json!({
            "blockTime": 1_764_000_000u64,
            "meta": {"err": null, "preBalances": [5_000_000_000u64, 1_000], "postBalances": [4_000_000_000u64, 1_000 + delta]},
            "transaction": {"message": {
                "accountKeys": [{"pubkey": "payer111111111111111111111111111111111111111"}, {"pubkey": PAY_TO}],
                "instructions": [{"program": "spl-memo", "parsed": memo}]
            }}
        })
    }

    #[test]
    fn reads_sol_delta_time_and_memo() {
        let facts =
            inspect_transaction(&sol_tx(2_500, "x402-zk:0x05"), PAY_TO, NATIVE_SOL).unwrap();
        assert_eq!(facts.amount, 2_500);
        assert_eq!(facts.paid_at, 1_764_000_000);
        assert_eq!(facts.memo_commitment, Some(Fr::from(5u64)));
    }

    #[test]
    fn refuses_no_payment_to_merchant_and_failed_tx() {
        assert!(matches!(
            inspect_transaction(&sol_tx(0, "x402-zk:0x05"), PAY_TO, NATIVE_SOL),
            Err(AttestError::NoTransfer { .. })
        ));
        assert!(matches!(
            inspect_transaction(
                &sol_tx(10, "x"),
                "11111111111111111111111111111112",
                NATIVE_SOL
            ),
            Err(AttestError::NoTransfer { .. })
        ));
        let mut failed = sol_tx(10, "x402-zk:0x05");
        failed["meta"]["err"] = json!({"InstructionError": [0, "Custom"]});
        assert!(matches!(
            inspect_transaction(&failed, PAY_TO, NATIVE_SOL),
            Err(AttestError::TransactionFailed)
        ));
    }

    #[test]
    fn memo_at_or_above_modulus_is_ignored_not_reduced() {
        let r = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
        let facts =
            inspect_transaction(&sol_tx(10, &format!("x402-zk:{r}")), PAY_TO, NATIVE_SOL).unwrap();
        assert_eq!(facts.memo_commitment, None);
    }

    #[tokio::test]
    async fn ledger_issues_once_per_signature_across_restarts() {
        let dir = std::env::temp_dir().join(format!("x402-ledger-{}", rand::random::<u64>()));
        let ledger = ReceiptLedger::open(Some(dir.clone())).unwrap();
        assert!(ledger.claim("sig1").await.unwrap());
        assert!(!ledger.claim("sig1").await.unwrap());
        let reopened = ReceiptLedger::open(Some(dir.clone())).unwrap();
        assert!(!reopened.claim("sig1").await.unwrap());
        assert!(reopened.claim("sig2").await.unwrap());
        let _ = std::fs::remove_file(dir);
    }
}
