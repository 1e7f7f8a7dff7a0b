//! The attester: signs a receipt only for a finalized transfer it has read from an endpoint
//! trusted for attestation (`--attest-rpc-urls`). It learns the commitment `C`, never the payer's
//! secret, so it cannot link the later proof (which reveals only `Poseidon(secret, domain)`) to
//! this payment.
//!
//! Idempotent: the receipt is a pure function of the finalized transaction and the request
//! (EdDSA-Poseidon signing is deterministic), so the same transaction and commitment yield the
//! identical receipt to any caller, any number of times. There is no first-caller ownership: an
//! observer who asks first learns a receipt it cannot spend (it lacks the secret behind `C`) and
//! takes nothing from the payer. A commitment other than the transaction's single `x402-zk:` memo
//! is refused (`memo-mismatch`); so is a transaction with more than one such memo. Balance data
//! that is missing or unreadable fails closed with the reason.
use std::collections::BTreeMap;

use ark_bn254::Fr;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::field::{fr_from_str_checked, fr_to_decimal, fr_to_hex};
use x402_zk_circuits::receipt::Receipt;
/// The one signature JSON type (prover API, CLI, attester).
pub use x402_zk_circuits::wire::SignatureJson;

use crate::rpc::{RpcError, RpcPool};

/// Memo prefix the payer puts before the 0x-hex commitment (docs/PROTOCOL.md, flow step 2).
pub use x402_zk_encoding::MEMO_PREFIX;
/// Native SOL, as an x402 `asset` string.
pub const NATIVE_SOL: &str = "11111111111111111111111111111111";
/// SPL Memo program ids (v2 and v1): a memo instruction that `jsonParsed` left unparsed is still
/// read from its data.
pub const MEMO_PROGRAM_IDS: [&str; 2] = [
    "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr",
    "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo",
];

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttestRequest {
    /// Base58 transaction signature of the payment.
    #[schema(pattern = "^[1-9A-HJ-NP-Za-km-z]{64,88}$")]
    pub tx_signature: String,
    /// 0x-hex (or decimal) `C = Poseidon(secret, 0)`, as put in the memo.
    #[schema(value_type = crate::openapi::TrimmedFieldElement)]
    pub commitment: String,
    /// Merchant the payment went to (base58).
    #[schema(value_type = crate::openapi::Base58Key)]
    pub pay_to: String,
    /// Mint (base58), or the system program id for native SOL.
    #[schema(value_type = crate::openapi::Base58Key)]
    pub asset: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AttestedReceipt)]
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

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PointJson {
    pub x: String,
    pub y: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AttestResponse {
    pub receipt: ReceiptJson,
    /// Written `{r8x, r8y, s}` (the attester's wire format); read in either casing.
    #[serde(serialize_with = "SignatureJson::serialize_lower_case")]
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
    #[error("the commitment is not the one in the transaction's x402-zk memo (or it has none)")]
    MemoMismatch,
    #[error("transaction carries {0} x402-zk memos; exactly one is accepted")]
    MultipleMemos(usize),
    #[error("transaction moved no {asset} to {pay_to}")]
    NoTransfer { pay_to: String, asset: String },
    /// The RPC's answer lacks, or garbles, the balance data the amount is read from: refused
    /// rather than guessed.
    #[error("cannot read the transfer amount: {0}")]
    BalanceData(String),
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
            AttestError::MultipleMemos(_) => "multiple-memos",
            AttestError::NoTransfer { .. } => "no-transfer",
            AttestError::BalanceData(_) => "balance-data-unavailable",
            AttestError::Rpc(_) => "rpc-unavailable",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AttestError::Malformed(_) => 400,
            AttestError::NotFinalized => 409,
            // The trusted RPC's answer is unusable: an upstream fault, not the caller's.
            AttestError::BalanceData(_) => 502,
            AttestError::Rpc(_) => 503,
            _ => 422,
        }
    }
}

pub struct AttesterService {
    pub key: Attester,
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
    /// Reads the transaction from `rpc` (the endpoints trusted for attestation) and signs its
    /// receipt. Stateless: see the module doc.
    pub async fn attest(
        &self,
        rpc: &RpcPool,
        req: &AttestRequest,
    ) -> Result<AttestResponse, AttestError> {
        let parsed = parse_request(req)?;
        let tx = rpc
            .finalized_transaction(&req.tx_signature)
            .await?
            .ok_or(AttestError::NotFinalized)?;
        let resp = self.receipt_for(req, &parsed, &tx)?;
        tracing::info!(tx = %req.tx_signature, "receipt issued");
        Ok(resp)
    }

    /// The receipt for `req` given the finalized transaction `tx` (`getTransaction`, jsonParsed):
    /// a pure function of both.
    pub fn receipt_for(
        &self,
        req: &AttestRequest,
        parsed: &ParsedRequest,
        tx: &Value,
    ) -> Result<AttestResponse, AttestError> {
        let facts = inspect_transaction(tx, &req.pay_to, &req.asset)?;
        if facts.memo_commitment != Some(parsed.commitment) {
            return Err(AttestError::MemoMismatch);
        }
        let receipt = Receipt {
            pay_to: parsed.pay_to,
            asset: parsed.asset,
            amount: facts.amount,
            paid_at: facts.paid_at,
            commitment: parsed.commitment,
        };
        let sig = receipt.sign(&self.key);
        let a = self.key.public();
        Ok(AttestResponse {
            receipt: ReceiptJson {
                pay_to: req.pay_to.clone(),
                asset: req.asset.clone(),
                amount: facts.amount.to_string(),
                paid_at: facts.paid_at,
                commitment: fr_to_hex(&parsed.commitment),
            },
            signature: SignatureJson::from_signature(&sig),
            attester: PointJson {
                x: fr_to_decimal(&a.x),
                y: fr_to_decimal(&a.y),
            },
        })
    }
}

/// An [`AttestRequest`] with its fields decoded.
#[derive(Clone, Debug)]
pub struct ParsedRequest {
    pub pay_to: [u8; 32],
    pub asset: [u8; 32],
    pub commitment: Fr,
}

/// Decodes and checks the request's fields (400 `malformed-request` on failure).
pub fn parse_request(req: &AttestRequest) -> Result<ParsedRequest, AttestError> {
    let pay_to = pubkey_bytes(&req.pay_to, "payTo").map_err(AttestError::Malformed)?;
    let asset = asset_bytes(&req.asset).map_err(AttestError::Malformed)?;
    let commitment = fr_from_str_checked(&req.commitment, "commitment")
        .map_err(|e| AttestError::Malformed(e.to_string()))?;
    if bs58::decode(&req.tx_signature).into_vec().map(|v| v.len()) != Ok(64) {
        return Err(AttestError::Malformed(
            "txSignature: must be a base58 64-byte signature".into(),
        ));
    }
    Ok(ParsedRequest {
        pay_to,
        asset,
        commitment,
    })
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
/// transfer, CPI, transferChecked) and nothing else. Fails closed: missing or unreadable balance
/// data is [`AttestError::BalanceData`], never read as zero; more than one `x402-zk:` memo (top
/// level or inner) is [`AttestError::MultipleMemos`].
pub fn inspect_transaction(
    tx: &Value,
    pay_to: &str,
    asset: &str,
) -> Result<TransferFacts, AttestError> {
    let meta = &tx["meta"];
    if !meta.is_object() {
        return Err(AttestError::BalanceData(
            "the transaction has no meta".into(),
        ));
    }
    if !meta["err"].is_null() {
        return Err(AttestError::TransactionFailed);
    }
    let paid_at = tx["blockTime"].as_u64().ok_or(AttestError::NotFinalized)?;
    let keys: Vec<Option<&str>> = tx["transaction"]["message"]["accountKeys"]
        .as_array()
        .ok_or_else(|| AttestError::BalanceData("accountKeys missing".into()))?
        .iter()
        .map(|k| k["pubkey"].as_str().or_else(|| k.as_str()))
        .collect();
    let no_transfer = || AttestError::NoTransfer {
        pay_to: pay_to.to_string(),
        asset: asset.to_string(),
    };
    let lamports = |field: &str| -> Result<Vec<u64>, AttestError> {
        let arr = meta[field]
            .as_array()
            .ok_or_else(|| AttestError::BalanceData(format!("{field} missing")))?;
        if arr.len() != keys.len() {
            return Err(AttestError::BalanceData(format!(
                "{field} has {} entries for {} account keys",
                arr.len(),
                keys.len()
            )));
        }
        arr.iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_u64()
                    .ok_or_else(|| AttestError::BalanceData(format!("{field}[{i}] is not a u64")))
            })
            .collect()
    };
    let pre_lamports = lamports("preBalances")?;
    let post_lamports = lamports("postBalances")?;
    let amount = if asset == NATIVE_SOL {
        let idx = keys
            .iter()
            .position(|k| *k == Some(pay_to))
            .ok_or_else(no_transfer)?;
        post_lamports[idx]
            .checked_sub(pre_lamports[idx])
            .filter(|d| *d > 0)
            .ok_or_else(no_transfer)?
    } else {
        let pre = token_balances(meta, "preTokenBalances", pay_to, asset)?;
        let post = token_balances(meta, "postTokenBalances", pay_to, asset)?;
        let mut before: u128 = 0;
        let mut after: u128 = 0;
        let accounts: std::collections::BTreeSet<usize> =
            pre.keys().chain(post.keys()).copied().collect();
        for i in accounts {
            // A side missing: only fine when the token account did not exist then (created or
            // closed by this transaction), which its lamport balance tells.
            let lamports_at = |v: &[u64]| v.get(i).copied();
            before += match pre.get(&i) {
                Some(a) => u128::from(*a),
                None if lamports_at(&pre_lamports) == Some(0) => 0,
                None => {
                    return Err(AttestError::BalanceData(format!(
                        "no pre-transaction token balance for existing account {i}"
                    )))
                }
            };
            after += match post.get(&i) {
                Some(a) => u128::from(*a),
                None if lamports_at(&post_lamports) == Some(0) => 0,
                None => {
                    return Err(AttestError::BalanceData(format!(
                        "no post-transaction token balance for existing account {i}"
                    )))
                }
            };
        }
        after
            .checked_sub(before)
            .filter(|d| *d > 0)
            .map(|d| {
                u64::try_from(d)
                    .map_err(|_| AttestError::BalanceData("amount overflows u64".into()))
            })
            .ok_or_else(no_transfer)??
    };
    Ok(TransferFacts {
        amount,
        paid_at,
        memo_commitment: memo_commitment(tx)?,
    })
}

/// `accountIndex → amount` of the token balances in `meta[field]` held by `owner` in `mint`.
/// Any entry of `mint` that cannot be read (no index, no owner, no integer amount) fails closed.
fn token_balances(
    meta: &Value,
    field: &str,
    owner: &str,
    mint: &str,
) -> Result<BTreeMap<usize, u64>, AttestError> {
    let bad = |m: String| AttestError::BalanceData(format!("{field}: {m}"));
    let arr = meta[field]
        .as_array()
        .ok_or_else(|| AttestError::BalanceData(format!("{field} missing")))?;
    let mut out = BTreeMap::new();
    for (n, b) in arr.iter().enumerate() {
        let entry_mint = b["mint"]
            .as_str()
            .ok_or_else(|| bad(format!("entry {n} has no mint")))?;
        if entry_mint != mint {
            continue;
        }
        let index = b["accountIndex"]
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(|| bad(format!("entry {n} has no accountIndex")))?;
        let entry_owner = b["owner"]
            .as_str()
            .ok_or_else(|| bad(format!("entry {n} (account {index}) has no owner")))?;
        if entry_owner != owner {
            continue;
        }
        let amount = b["uiTokenAmount"]["amount"]
            .as_str()
            .and_then(|a| a.parse::<u64>().ok())
            .ok_or_else(|| bad(format!("entry {n} (account {index}) has no integer amount")))?;
        if out.insert(index, amount).is_some() {
            return Err(bad(format!("account {index} listed twice")));
        }
    }
    Ok(out)
}

/// The text of every SPL Memo instruction, top level and inner (CPI), in order.
fn memo_texts(tx: &Value) -> Vec<String> {
    let top = tx["transaction"]["message"]["instructions"]
        .as_array()
        .into_iter()
        .flatten();
    let inner = tx["meta"]["innerInstructions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|group| group["instructions"].as_array())
        .flatten();
    top.chain(inner)
        .filter_map(|ix| {
            if let Some(text) = ix["parsed"]
                .as_str()
                .filter(|_| ix["program"] == "spl-memo")
            {
                return Some(text.to_string());
            }
            let program = ix["programId"].as_str()?;
            if !MEMO_PROGRAM_IDS.contains(&program) {
                return None;
            }
            let data = bs58::decode(ix["data"].as_str()?).into_vec().ok()?;
            Some(String::from_utf8_lossy(&data).into_owned())
        })
        .collect()
}

/// The commitment of the transaction's single `x402-zk:` memo: `None` when there is none or it
/// is not a canonical field element; more than one is refused.
fn memo_commitment(tx: &Value) -> Result<Option<Fr>, AttestError> {
    let memos: Vec<String> = memo_texts(tx)
        .into_iter()
        .filter(|m| m.trim_start().starts_with(MEMO_PREFIX))
        .collect();
    match memos.as_slice() {
        [] => Ok(None),
        [one] => Ok(one
            .trim_start()
            .strip_prefix(MEMO_PREFIX)
            .and_then(|c| fr_from_str_checked(c.trim(), "memo").ok())),
        many => Err(AttestError::MultipleMemos(many.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PAY_TO: &str = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
    const MINT: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    const SIG: &str =
        "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW";

    fn sol_tx(delta: u64, memo: &str) -> Value {
        json!({
            "blockTime": 1_764_000_000u64,
            "meta": {"err": null, "preBalances": [5_000_000_000u64, 1_000], "postBalances": [4_000_000_000u64, 1_000 + delta],
                     "preTokenBalances": [], "postTokenBalances": [], "innerInstructions": []},
            "transaction": {"message": {
                "accountKeys": [{"pubkey": "payer111111111111111111111111111111111111111"}, {"pubkey": PAY_TO}],
                "instructions": [{"program": "spl-memo", "parsed": memo}]
            }}
        })
    }

    /// A token transfer of `delta` to PAY_TO's token account (index 2), which existed before.
    fn token_tx(delta: u64) -> Value {
        let bal = |amount: u64| {
            json!({"accountIndex": 2, "mint": MINT, "owner": PAY_TO,
            "uiTokenAmount": {"amount": amount.to_string(), "decimals": 6}})
        };
        json!({
            "blockTime": 1_764_000_000u64,
            "meta": {"err": null, "preBalances": [5_000_000_000u64, 2_039_280, 2_039_280],
                     "postBalances": [4_999_995_000u64, 2_039_280, 2_039_280],
                     "preTokenBalances": [bal(10)], "postTokenBalances": [bal(10 + delta)]},
            "transaction": {"message": {
                "accountKeys": [{"pubkey": "payer111111111111111111111111111111111111111"},
                                {"pubkey": "src11111111111111111111111111111111111111111"},
                                {"pubkey": "dst11111111111111111111111111111111111111111"}],
                "instructions": [{"program": "spl-memo", "parsed": "x402-zk:0x05"}]
            }}
        })
    }

    fn service() -> AttesterService {
        AttesterService {
            key: Attester::from_secret([7u8; 32]),
        }
    }

    fn request(commitment: &str) -> AttestRequest {
        AttestRequest {
            tx_signature: SIG.into(),
            commitment: commitment.into(),
            pay_to: PAY_TO.into(),
            asset: NATIVE_SOL.into(),
        }
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
    fn reads_token_delta() {
        let facts = inspect_transaction(&token_tx(700), PAY_TO, MINT).unwrap();
        assert_eq!(facts.amount, 700);
        // A token account created by the transaction has no pre balance, and 0 lamports before.
        let mut created = token_tx(700);
        created["meta"]["preTokenBalances"] = json!([]);
        created["meta"]["preBalances"][2] = json!(0);
        assert_eq!(
            inspect_transaction(&created, PAY_TO, MINT).unwrap().amount,
            710
        );
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

    #[test]
    fn missing_or_unreadable_balance_data_fails_closed() {
        let check =
            |tx: Value, asset: &str, what: &str| match inspect_transaction(&tx, PAY_TO, asset) {
                Err(e @ AttestError::BalanceData(_)) => {
                    assert_eq!((e.slug(), e.status()), ("balance-data-unavailable", 502));
                    assert!(e.to_string().contains(what), "{what}: {e}");
                }
                other => panic!("{what}: {other:?}"),
            };
        // Native SOL: a missing array, a short one, a non-integer entry (never read as 0).
        let mut tx = sol_tx(10, "x402-zk:0x05");
        tx["meta"].as_object_mut().unwrap().remove("preBalances");
        check(tx, NATIVE_SOL, "preBalances missing");
        let mut tx = sol_tx(10, "x402-zk:0x05");
        tx["meta"]["preBalances"] = json!([5_000_000_000u64]);
        check(
            tx,
            NATIVE_SOL,
            "preBalances has 1 entries for 2 account keys",
        );
        let mut tx = sol_tx(10, "x402-zk:0x05");
        tx["meta"]["postBalances"][1] = json!("1010");
        check(tx, NATIVE_SOL, "postBalances[1] is not a u64");
        let mut tx = sol_tx(10, "x402-zk:0x05");
        tx["meta"] = Value::Null;
        check(tx, NATIVE_SOL, "no meta");
        // Tokens: missing arrays, an unparsable amount, no owner, a pre balance missing for an
        // account that existed.
        let mut tx = token_tx(700);
        tx["meta"]
            .as_object_mut()
            .unwrap()
            .remove("postTokenBalances");
        check(tx, MINT, "postTokenBalances missing");
        let mut tx = token_tx(700);
        tx["meta"]["postTokenBalances"][0]["uiTokenAmount"]["amount"] = json!("7e2");
        check(tx, MINT, "no integer amount");
        let mut tx = token_tx(700);
        tx["meta"]["preTokenBalances"][0]
            .as_object_mut()
            .unwrap()
            .remove("owner");
        check(tx, MINT, "no owner");
        let mut tx = token_tx(700);
        tx["meta"]["preTokenBalances"] = json!([]);
        check(
            tx,
            MINT,
            "no pre-transaction token balance for existing account 2",
        );
    }

    #[test]
    fn more_than_one_x402_zk_memo_is_refused() {
        let mut tx = sol_tx(10, "x402-zk:0x05");
        tx["transaction"]["message"]["instructions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"program": "spl-memo", "parsed": "x402-zk:0x06"}));
        let e = inspect_transaction(&tx, PAY_TO, NATIVE_SOL).unwrap_err();
        assert!(matches!(e, AttestError::MultipleMemos(2)), "{e:?}");
        assert_eq!(e.slug(), "multiple-memos");
        assert!((400..500).contains(&e.status()));
        // The same commitment twice is still two memos; an inner (CPI) one and an unparsed one count.
        let mut tx = sol_tx(10, "x402-zk:0x05");
        tx["meta"]["innerInstructions"] = json!([{"index": 0, "instructions": [
            {"programId": MEMO_PROGRAM_IDS[0], "data": bs58::encode("x402-zk:0x05").into_string()}
        ]}]);
        assert!(matches!(
            inspect_transaction(&tx, PAY_TO, NATIVE_SOL),
            Err(AttestError::MultipleMemos(2))
        ));
        // Other memos do not count.
        let mut tx = sol_tx(10, "x402-zk:0x05");
        tx["transaction"]["message"]["instructions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"program": "spl-memo", "parsed": "order 42"}));
        assert!(inspect_transaction(&tx, PAY_TO, NATIVE_SOL).is_ok());
    }

    #[test]
    fn same_transaction_twice_gives_the_identical_receipt() {
        let svc = service();
        let req = request("0x05");
        let parsed = parse_request(&req).unwrap();
        let tx = sol_tx(2_500, "x402-zk:0x05");
        let first = svc.receipt_for(&req, &parsed, &tx).unwrap();
        let second = svc.receipt_for(&req, &parsed, &tx).unwrap();
        assert_eq!(first, second);
        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            serde_json::to_string(&second).unwrap()
        );
        assert_eq!(first.receipt.amount, "2500");
    }

    #[test]
    fn a_commitment_other_than_the_memo_is_refused() {
        let svc = service();
        let req = request("0x06");
        let parsed = parse_request(&req).unwrap();
        let e = svc
            .receipt_for(&req, &parsed, &sol_tx(2_500, "x402-zk:0x05"))
            .unwrap_err();
        assert!(matches!(e, AttestError::MemoMismatch));
        assert_eq!((e.slug(), e.status()), ("memo-mismatch", 422));
        // No memo at all: the same refusal.
        let e = svc
            .receipt_for(&req, &parsed, &sol_tx(2_500, "hello"))
            .unwrap_err();
        assert!(matches!(e, AttestError::MemoMismatch));
    }
}
