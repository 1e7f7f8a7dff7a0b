//! A LiteSVM harness around the built `x402_zk_verifier.so`: load the program, send one
//! instruction per transaction, and report success, logs and compute units.
use std::path::PathBuf;

use litesvm::LiteSVM;
pub use solana_address::Address;
pub use solana_instruction::{AccountMeta, Instruction};
pub use solana_keypair::Keypair;
use solana_message::Message;
pub use solana_signer::Signer;
use solana_transaction::Transaction;

pub const SYSTEM_PROGRAM: &str = "11111111111111111111111111111111";
const COMPUTE_BUDGET: &str = "ComputeBudget111111111111111111111111111111";

/// The repository root (this crate lives in `tests/litesvm`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Result of one transaction.
#[derive(Debug)]
pub struct Outcome {
    pub ok: bool,
    pub logs: Vec<String>,
    /// Compute units consumed by the whole transaction (the compute-budget instruction costs 150).
    pub cu: u64,
}

impl Outcome {
    pub fn has_log(&self, needle: &str) -> bool {
        self.logs.iter().any(|l| l.contains(needle))
    }

    /// The Anchor error name logged by a failed instruction (`Error Code: <Name>.`), if any.
    pub fn error_code(&self) -> Option<String> {
        self.logs.iter().find_map(|l| {
            let rest = l.split("Error Code: ").nth(1)?;
            Some(rest.split('.').next()?.to_string())
        })
    }
}

pub struct Harness {
    pub svm: LiteSVM,
    pub program_id: Address,
    pub payer: Keypair,
    idl: serde_json::Value,
}

impl Harness {
    /// Loads the program built by `anchor build`; fails with a hint when it is missing.
    pub fn new() -> Self {
        let root = repo_root();
        let so = root.join("target/deploy/x402_zk_verifier.so");
        let idl_path = root.join("target/idl/x402_zk_verifier.json");
        assert!(so.exists(), "{} missing: run scripts/build.sh (anchor build) first", so.display());
        let idl: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&idl_path).expect("read IDL")).expect("IDL is JSON");
        let program_id: Address = idl["address"].as_str().expect("IDL address").parse().expect("address");
        let mut svm = LiteSVM::new();
        svm.add_program_from_file(program_id, &so).expect("load program");
        let payer = Keypair::new();
        svm.airdrop(&payer.pubkey(), 100_000_000_000).expect("airdrop");
        Harness { svm, program_id, payer, idl }
    }

    /// The 8-byte Anchor discriminator of an instruction, read from the generated IDL.
    pub fn discriminator(&self, name: &str) -> Vec<u8> {
        self.idl["instructions"]
            .as_array()
            .expect("IDL instructions")
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no instruction {name} in IDL"))["discriminator"]
            .as_array()
            .expect("discriminator")
            .iter()
            .map(|b| b.as_u64().expect("byte") as u8)
            .collect()
    }

    pub fn pda(&self, seeds: &[&[u8]]) -> Address {
        Address::find_program_address(seeds, &self.program_id).0
    }

    pub fn config_pda(&self) -> Address {
        self.pda(&[b"config"])
    }

    pub fn fund(&mut self, who: &Address) {
        self.svm.airdrop(who, 10_000_000_000).expect("airdrop");
    }

    /// Sends `data` to the program with `accounts`, signed by the payer and `signers`.
    pub fn send(&mut self, data: Vec<u8>, accounts: Vec<AccountMeta>, signers: &[&Keypair]) -> Outcome {
        let ix = Instruction::new_with_bytes(self.program_id, &data, accounts);
        self.send_ixs(vec![ix], signers)
    }

    pub fn send_ixs(&mut self, ixs: Vec<Instruction>, signers: &[&Keypair]) -> Outcome {
        let mut budget = vec![2u8];
        budget.extend_from_slice(&1_400_000u32.to_le_bytes());
        let cu_ix = Instruction::new_with_bytes(COMPUTE_BUDGET.parse().expect("id"), &budget, vec![]);
        let mut all = vec![cu_ix];
        all.extend(ixs);
        let msg = Message::new(&all, Some(&self.payer.pubkey()));
        let mut keys: Vec<&Keypair> = vec![&self.payer];
        keys.extend_from_slice(signers);
        let tx = Transaction::new(&keys, msg, self.svm.latest_blockhash());
        let out = match self.svm.send_transaction(tx) {
            Ok(m) => Outcome { ok: true, logs: m.logs, cu: m.compute_units_consumed },
            Err(f) => Outcome { ok: false, logs: f.meta.logs, cu: f.meta.compute_units_consumed },
        };
        self.svm.expire_blockhash();
        out
    }

    /// `initialize_config` with the payer as authority.
    pub fn initialize_config(&mut self, attester: [u8; 64], max_clock_skew_seconds: u32) -> Outcome {
        let mut data = self.discriminator("initialize_config");
        data.extend_from_slice(&attester);
        data.extend_from_slice(&max_clock_skew_seconds.to_le_bytes());
        let accounts = vec![
            AccountMeta::new(self.payer.pubkey(), true),
            AccountMeta::new(self.config_pda(), false),
            AccountMeta::new_readonly(SYSTEM_PROGRAM.parse().expect("id"), false),
        ];
        self.send(data, accounts, &[])
    }

    /// `set_paused`, signed by `authority` (the payer when `None`).
    pub fn set_paused(&mut self, authority: Option<&Keypair>, paused: bool) -> Outcome {
        let mut data = self.discriminator("set_paused");
        data.push(paused as u8);
        let auth = authority.map(|k| k.pubkey()).unwrap_or_else(|| self.payer.pubkey());
        let accounts = vec![AccountMeta::new_readonly(auth, true), AccountMeta::new(self.config_pda(), false)];
        match authority {
            Some(k) => self.send(data, accounts, &[k]),
            None => self.send(data, accounts, &[]),
        }
    }
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

/// Appends `name = cu` to `target/litesvm-cu.json` so BENCHMARKS.md can quote runtime figures.
pub fn record_cu(name: &str, cu: u64) {
    let path = repo_root().join("target/litesvm-cu.json");
    let mut map: serde_json::Map<String, serde_json::Value> = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    map.insert(name.to_string(), cu.into());
    let _ = std::fs::write(&path, serde_json::to_vec_pretty(&map).expect("json"));
    println!("compute units: {name} = {cu}");
}
