//! A LiteSVM harness around the built `x402_zk_verifier.so`: load the program (upgradeable, with
//! the harness payer as its upgrade authority, like a real deployment), send one instruction per
//! transaction, and report success, logs and compute units.
pub mod proofs;

use std::path::PathBuf;

use x402_zk_encoding::layout::{nullifier_seeds, policy_seeds, CONFIG_SEED, VK_SEED};

use litesvm::LiteSVM;
pub use solana_address::Address;
pub use solana_instruction::{AccountMeta, Instruction};
pub use solana_keypair::Keypair;
use solana_message::Message;
pub use solana_signer::Signer;
use solana_transaction::Transaction;

pub const SYSTEM_PROGRAM: &str = "11111111111111111111111111111111";
/// The upgradeable BPF loader (loader-v3): owner of a deployed program and its ProgramData.
pub const BPF_LOADER_UPGRADEABLE: &str = "BPFLoaderUpgradeab1e11111111111111111111111";
const COMPUTE_BUDGET: &str = "ComputeBudget111111111111111111111111111111";

/// The repository root (this crate lives in `tests/litesvm`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The program binary: `target/deploy/x402_zk_verifier.so` (what `anchor build` writes), or
/// `$X402_ZK_PROGRAM_SO` to run the suite against another build (e.g. the previous commit's).
pub fn program_so() -> PathBuf {
    std::env::var_os("X402_ZK_PROGRAM_SO")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/deploy/x402_zk_verifier.so"))
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
    /// The verifying key account the verify instructions pass (the `[b"vk"]` PDA unless a test
    /// substitutes another account).
    pub vk_account: Address,
    idl: serde_json::Value,
    /// Keys made by [`Harness::keypair`] so far.
    keys_made: u64,
}

impl Harness {
    /// Loads the program built by `anchor build` with the upgradeable loader and makes the payer
    /// its upgrade authority (as `solana program deploy` with that wallet would); fails with a hint
    /// when the build is missing.
    pub fn new() -> Self {
        let root = repo_root();
        let so = program_so();
        let idl_path = root.join("target/idl/x402_zk_verifier.json");
        assert!(
            so.exists(),
            "{} missing: run scripts/build.sh (anchor build) first",
            so.display()
        );
        let idl: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&idl_path).expect("read IDL"))
                .expect("IDL is JSON");
        let program_id: Address = idl["address"]
            .as_str()
            .expect("IDL address")
            .parse()
            .expect("address");
        let mut svm = LiteSVM::new();
        // Fixed keys (payer, proof buffers): a key's base58 length and PDA bump searches change the
        // compute units, and the CU tables (scripts/cu-table.sh --check) must be the same every run.
        let payer = Keypair::new_from_array([0x11; 32]);
        svm.airdrop(&payer.pubkey(), 100_000_000_000)
            .expect("airdrop");
        let vk_account = Address::find_program_address(&[VK_SEED], &program_id).0;
        let mut h = Harness {
            svm,
            program_id,
            payer,
            vk_account,
            idl,
            keys_made: 0,
        };
        let authority = h.payer.pubkey();
        h.deploy_upgradeable(program_id, &so, Some(authority));
        h
    }

    /// Deploys `so` at `program_id` under the upgradeable loader (program account → ProgramData at
    /// `[program_id]` of the loader) with `upgrade_authority` (`None`: immutable).
    ///
    /// LiteSVM's `add_program` already writes the loader-v3 pair but with no upgrade authority, so
    /// the ProgramData header is rewritten afterwards (same length; the program cache is keyed by
    /// the program account and is not touched).
    pub fn deploy_upgradeable(
        &mut self,
        program_id: Address,
        so: &std::path::Path,
        upgrade_authority: Option<Address>,
    ) {
        self.svm
            .add_program_from_file(program_id, so)
            .expect("load program");
        let program = self.svm.get_account(&program_id).expect("program account");
        let loader: Address = BPF_LOADER_UPGRADEABLE.parse().expect("loader id");
        assert_eq!(program.owner, loader, "LiteSVM deploys with loader-v3");
        assert!(program.executable);
        // UpgradeableLoaderState::Program (bincode): tag u32 LE = 2 ‖ programdata address.
        assert_eq!(&program.data[..4], &2u32.to_le_bytes(), "a Program account");
        let programdata =
            Address::new_from_array(program.data[4..36].try_into().expect("32 bytes"));
        assert_eq!(programdata, programdata_address(&program_id));
        self.set_upgrade_authority(&program_id, upgrade_authority);
    }

    /// Rewrites the upgrade authority in the ProgramData of `program_id`.
    ///
    /// UpgradeableLoaderState::ProgramData (bincode): tag u32 LE = 3 ‖ slot u64 LE ‖
    /// Option<Pubkey> (0, or 1 ‖ 32 bytes), then the ELF (metadata is always 45 bytes).
    pub fn set_upgrade_authority(&mut self, program_id: &Address, authority: Option<Address>) {
        let pd = programdata_address(program_id);
        let mut acc = self.svm.get_account(&pd).expect("ProgramData account");
        assert_eq!(&acc.data[..4], &3u32.to_le_bytes(), "a ProgramData account");
        match authority {
            Some(a) => {
                acc.data[12] = 1;
                acc.data[13..45].copy_from_slice(a.as_ref());
            }
            None => {
                acc.data[12] = 0;
                acc.data[13..45].fill(0);
            }
        }
        self.svm.set_account(pd, acc).expect("set ProgramData");
    }

    /// The upgrade authority recorded in the ProgramData of `program_id`.
    pub fn upgrade_authority(&self, program_id: &Address) -> Option<Address> {
        let acc = self
            .svm
            .get_account(&programdata_address(program_id))
            .expect("ProgramData account");
        (acc.data[12] == 1)
            .then(|| Address::new_from_array(acc.data[13..45].try_into().expect("32 bytes")))
    }

    /// ProgramData of this program.
    pub fn program_data(&self) -> Address {
        programdata_address(&self.program_id)
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
        self.pda(&[CONFIG_SEED])
    }

    /// The verifying key account `[b"vk"]`.
    pub fn vk_pda(&self) -> Address {
        self.pda(&[VK_SEED])
    }

    /// `Config.vk_hash` (offset 8 + authority 32 + attester 64 + skew 4 + paused 1 + bump 1 + domain 32).
    pub fn config_vk_hash(&self) -> [u8; 32] {
        let acc = self.svm.get_account(&self.config_pda()).expect("config");
        acc.data[CONFIG_VK_HASH_OFFSET..CONFIG_VK_HASH_OFFSET + 32]
            .try_into()
            .expect("32 bytes")
    }

    /// `set_verifying_key(key)` signed by `authority` (the payer when `None`).
    pub fn set_verifying_key(&mut self, key: &[u8], authority: Option<&Keypair>) -> Outcome {
        // `[u8; 576]`: no length prefix (a shorter key does not deserialize).
        let mut data = self.discriminator("set_verifying_key");
        data.extend_from_slice(key);
        let auth = authority
            .map(|k| k.pubkey())
            .unwrap_or_else(|| self.payer.pubkey());
        let accounts = vec![
            AccountMeta::new_readonly(auth, true),
            AccountMeta::new(self.config_pda(), false),
            AccountMeta::new(self.vk_pda(), false),
        ];
        match authority {
            Some(k) => self.send(data, accounts, &[k]),
            None => self.send(data, accounts, &[]),
        }
    }

    pub fn fund(&mut self, who: &Address) {
        self.svm.airdrop(who, 10_000_000_000).expect("airdrop");
    }

    /// Sends `data` to the program with `accounts`, signed by the payer and `signers`.
    pub fn send(
        &mut self,
        data: Vec<u8>,
        accounts: Vec<AccountMeta>,
        signers: &[&Keypair],
    ) -> Outcome {
        let ix = Instruction::new_with_bytes(self.program_id, &data, accounts);
        self.send_ixs(vec![ix], signers)
    }

    pub fn send_ixs(&mut self, ixs: Vec<Instruction>, signers: &[&Keypair]) -> Outcome {
        let payer = self.payer.insecure_clone();
        self.send_ixs_from(&payer, ixs, signers)
    }

    /// The transaction [`Harness::send_ixs_from`] builds: a compute-budget instruction (limit
    /// 1.4M CU) then `ixs`, paid by `fee_payer`.
    pub fn message(fee_payer: &Address, ixs: Vec<Instruction>) -> Message {
        let mut budget = vec![2u8];
        budget.extend_from_slice(&1_400_000u32.to_le_bytes());
        let cu_ix =
            Instruction::new_with_bytes(COMPUTE_BUDGET.parse().expect("id"), &budget, vec![]);
        let mut all = vec![cu_ix];
        all.extend(ixs);
        Message::new(&all, Some(fee_payer))
    }

    /// Like [`Harness::send_ixs`] with another fee payer (e.g. a third party closing nullifiers).
    pub fn send_ixs_from(
        &mut self,
        fee_payer: &Keypair,
        ixs: Vec<Instruction>,
        signers: &[&Keypair],
    ) -> Outcome {
        let msg = Self::message(&fee_payer.pubkey(), ixs);
        let mut keys: Vec<&Keypair> = vec![fee_payer];
        keys.extend_from_slice(signers);
        let tx = Transaction::new(&keys, msg, self.svm.latest_blockhash());
        let out = match self.svm.send_transaction(tx) {
            Ok(m) => Outcome {
                ok: true,
                logs: m.logs,
                cu: m.compute_units_consumed,
            },
            Err(f) => Outcome {
                ok: false,
                logs: f.meta.logs,
                cu: f.meta.compute_units_consumed,
            },
        };
        self.svm.expire_blockhash();
        out
    }

    /// `initialize_config` with the payer (the upgrade authority) as authority and the receipt age
    /// cap [`DEFAULT_MAX_RECEIPT_AGE`].
    pub fn initialize_config(
        &mut self,
        attester: [u8; 64],
        max_clock_skew_seconds: u32,
    ) -> Outcome {
        self.initialize_config_aged(attester, max_clock_skew_seconds, DEFAULT_MAX_RECEIPT_AGE)
    }

    /// `initialize_config` with an explicit receipt age cap.
    pub fn initialize_config_aged(
        &mut self,
        attester: [u8; 64],
        max_clock_skew_seconds: u32,
        max_receipt_age_seconds: u32,
    ) -> Outcome {
        let pd = self.program_data();
        self.initialize_config_full(
            None,
            pd,
            attester,
            max_clock_skew_seconds,
            max_receipt_age_seconds,
        )
    }

    /// `initialize_config` signed by `authority` (the payer when `None`), presenting `program_data`
    /// as this program's ProgramData. Accounts: authority, config, system_program, program,
    /// program_data.
    pub fn initialize_config_with(
        &mut self,
        authority: Option<&Keypair>,
        program_data: Address,
        attester: [u8; 64],
        max_clock_skew_seconds: u32,
    ) -> Outcome {
        self.initialize_config_full(
            authority,
            program_data,
            attester,
            max_clock_skew_seconds,
            DEFAULT_MAX_RECEIPT_AGE,
        )
    }

    /// `initialize_config(InitializeConfigArgs { attester, max_clock_skew_seconds,
    /// max_receipt_age_seconds, verifying_key })` with the dev verifying key.
    pub fn initialize_config_full(
        &mut self,
        authority: Option<&Keypair>,
        program_data: Address,
        attester: [u8; 64],
        max_clock_skew_seconds: u32,
        max_receipt_age_seconds: u32,
    ) -> Outcome {
        let key = proofs::dev_vk_bytes();
        self.initialize_config_keyed(
            authority,
            program_data,
            attester,
            max_clock_skew_seconds,
            max_receipt_age_seconds,
            &key,
        )
    }

    /// `initialize_config` with explicit verifying key bytes. Accounts: authority, config,
    /// verifying_key, system_program, program, program_data.
    pub fn initialize_config_keyed(
        &mut self,
        authority: Option<&Keypair>,
        program_data: Address,
        attester: [u8; 64],
        max_clock_skew_seconds: u32,
        max_receipt_age_seconds: u32,
        key: &[u8],
    ) -> Outcome {
        let mut data = self.discriminator("initialize_config");
        data.extend_from_slice(&attester);
        data.extend_from_slice(&max_clock_skew_seconds.to_le_bytes());
        data.extend_from_slice(&max_receipt_age_seconds.to_le_bytes());
        data.extend_from_slice(key);
        let auth = authority
            .map(|k| k.pubkey())
            .unwrap_or_else(|| self.payer.pubkey());
        let accounts = vec![
            AccountMeta::new(auth, true),
            AccountMeta::new(self.config_pda(), false),
            AccountMeta::new(self.vk_pda(), false),
            AccountMeta::new_readonly(SYSTEM_PROGRAM.parse().expect("id"), false),
            AccountMeta::new_readonly(self.program_id, false),
            AccountMeta::new_readonly(program_data, false),
        ];
        match authority {
            Some(k) => self.send(data, accounts, &[k]),
            None => self.send(data, accounts, &[]),
        }
    }

    /// `set_paused`, signed by `authority` (the payer when `None`).
    pub fn set_paused(&mut self, authority: Option<&Keypair>, paused: bool) -> Outcome {
        let mut data = self.discriminator("set_paused");
        data.push(paused as u8);
        let auth = authority
            .map(|k| k.pubkey())
            .unwrap_or_else(|| self.payer.pubkey());
        let accounts = vec![
            AccountMeta::new_readonly(auth, true),
            AccountMeta::new(self.config_pda(), false),
        ];
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

/// The loader-v3 ProgramData address of `program_id`: `[program_id]` under the upgradeable loader.
pub fn programdata_address(program_id: &Address) -> Address {
    let loader: Address = BPF_LOADER_UPGRADEABLE.parse().expect("loader id");
    Address::find_program_address(&[program_id.as_ref()], &loader).0
}

/// Measured compute units → `target/litesvm-cu.json` (the CU tables are generated from it).
pub mod cu;
pub use cu::{assert_limit_fits, record_cu};

// ---------------------------------------------------------------------------------------------
// Payments: instruction encodings (borsh, as the IDL describes them) and helpers.

use proofs::PaymentFixture;

/// Size of a `Nullifier` account: discriminator 8 ‖ expires_at i64 ‖ rent_payer 32.
pub const NULLIFIER_SPACE: usize = 8 + 8 + 32;

/// Offset of `Config.vk_hash` in the config account: discriminator 8 ‖ authority 32 ‖ attester 64 ‖
/// skew 4 ‖ paused 1 ‖ bump 1 ‖ domain 32 (contract: it never moves).
pub const CONFIG_VK_HASH_OFFSET: usize = 8 + 32 + 64 + 4 + 1 + 1 + 32;

/// Size of the verifying key account: discriminator 8 ‖ bump 1 ‖ vk_hash 32 ‖ key 576.
pub const VK_ACCOUNT_SPACE: usize = 8 + 1 + 32 + 576;

/// Receipt age cap the harness initializes the config with (the fixtures' `maxAge`).
pub const DEFAULT_MAX_RECEIPT_AGE: u32 = 3_600;

/// Serialized size of a legacy transaction with `num_signatures` signatures and `msg` (the
/// packet limit is [`PACKET_DATA_SIZE`]).
pub fn legacy_tx_size(msg: &Message, num_signatures: usize) -> usize {
    fn shortvec(n: usize) -> usize {
        match n {
            0..=0x7f => 1,
            0x80..=0x3fff => 2,
            _ => 3,
        }
    }
    let ixs: usize = msg
        .instructions
        .iter()
        .map(|ix| {
            1 + shortvec(ix.accounts.len())
                + ix.accounts.len()
                + shortvec(ix.data.len())
                + ix.data.len()
        })
        .sum();
    shortvec(num_signatures)
        + 64 * num_signatures
        + 3
        + shortvec(msg.account_keys.len())
        + 32 * msg.account_keys.len()
        + 32
        + shortvec(msg.instructions.len())
        + ixs
}

/// Largest serialized transaction the network accepts (bytes).
pub const PACKET_DATA_SIZE: usize = 1232;

/// Unix time the tests run at (the LiteSVM clock is set to it; fixtures are proven for it).
pub const TEST_NOW: i64 = 1_760_000_600;

/// The merchant used by the fixtures.
pub fn merchant() -> Address {
    Address::new_from_array([0x4d; 32])
}

/// `register_policy` arguments for `f`'s terms paid to `pay_to`: pay_to 32 ‖ asset 32 ‖
/// min_amount u64 LE ‖ max_age u64 LE.
pub fn register_policy_args(pay_to: &Address, f: &PaymentFixture) -> Vec<u8> {
    let mut v = pay_to.to_bytes().to_vec();
    v.extend_from_slice(&f.asset);
    v.extend_from_slice(&f.min_amount.to_le_bytes());
    v.extend_from_slice(&f.max_age.to_le_bytes());
    v
}

/// `PaymentProof`: proof 256 ‖ now u64 LE ‖ resource_hash 32 ‖ nullifier 32 (328 bytes,
/// `x402_zk_encoding::layout::payment`).
pub fn payment_bytes(f: &PaymentFixture) -> Vec<u8> {
    x402_zk_encoding::layout::payment::PaymentRef {
        proof: &f.proof,
        now: f.now,
        resource_hash: &f.resource_hash,
        nullifier: &f.nullifier,
    }
    .encode()
    .to_vec()
}

impl Harness {
    /// A harness with the config initialized for the dev attester, the clock at [`TEST_NOW`].
    pub fn with_config(skew: u32) -> Self {
        Self::with_config_aged(skew, DEFAULT_MAX_RECEIPT_AGE)
    }

    /// [`Harness::with_config`] with a receipt age cap.
    pub fn with_config_aged(skew: u32, max_receipt_age_seconds: u32) -> Self {
        let mut h = Harness::new();
        h.set_unix_time(TEST_NOW);
        let out = h.initialize_config_aged(
            proofs::attester_bytes(&proofs::dev_attester()),
            skew,
            max_receipt_age_seconds,
        );
        assert!(out.ok, "initialize_config: {:#?}", out.logs);
        h
    }

    /// `close_expired_nullifiers` with `remaining_accounts` = the `[nullifier, rent_payer]` pairs.
    pub fn close_expired_nullifiers_ix(&self, pairs: &[(Address, Address)]) -> Instruction {
        let mut accounts = Vec::with_capacity(pairs.len() * 2);
        for (n, r) in pairs {
            accounts.push(AccountMeta::new(*n, false));
            accounts.push(AccountMeta::new(*r, false));
        }
        Instruction::new_with_bytes(
            self.program_id,
            &self.discriminator("close_expired_nullifiers"),
            accounts,
        )
    }

    /// Decoded `Nullifier` account at `address`: `(expires_at, rent_payer)`, or None when absent.
    pub fn nullifier_record(&self, address: &Address) -> Option<(i64, Address)> {
        let acc = self.svm.get_account(address)?;
        if acc.owner != self.program_id || acc.data.len() != NULLIFIER_SPACE {
            return None;
        }
        let expires_at = i64::from_le_bytes(acc.data[8..16].try_into().expect("8 bytes"));
        let payer = Address::new_from_array(acc.data[16..48].try_into().expect("32 bytes"));
        Some((expires_at, payer))
    }

    pub fn balance(&self, who: &Address) -> u64 {
        self.svm.get_account(who).map(|a| a.lamports).unwrap_or(0)
    }

    pub fn payer_address(&self) -> Address {
        self.payer.pubkey()
    }

    pub fn set_unix_time(&mut self, t: i64) {
        let mut clock: solana_clock::Clock = self.svm.get_sysvar();
        clock.unix_timestamp = t;
        self.svm.set_sysvar(&clock);
    }

    pub fn program_id_bytes(&self) -> [u8; 32] {
        self.program_id.to_bytes()
    }

    pub fn nullifier_pda(&self, nullifier: &[u8; 32]) -> Address {
        self.pda(&nullifier_seeds(nullifier))
    }

    /// The bump of `nullifier`'s PDA (the program's canonical search tries `256 − bump` bumps).
    pub fn nullifier_bump(&self, nullifier: &[u8; 32]) -> u8 {
        Address::find_program_address(&nullifier_seeds(nullifier), &self.program_id).1
    }

    /// An admin instruction `name(args)` on the config, signed by `authority` (the payer if `None`).
    pub fn admin(&mut self, name: &str, args: &[u8], authority: Option<&Keypair>) -> Outcome {
        let mut data = self.discriminator(name);
        data.extend_from_slice(args);
        let auth = authority
            .map(|k| k.pubkey())
            .unwrap_or_else(|| self.payer.pubkey());
        let accounts = vec![
            AccountMeta::new_readonly(auth, true),
            AccountMeta::new(self.config_pda(), false),
        ];
        match authority {
            Some(k) => self.send(data, accounts, &[k]),
            None => self.send(data, accounts, &[]),
        }
    }

    /// `policyHash` of `f`'s terms paid to `pay_to` under the config's current attester and
    /// domain (read from the config account), as the program computes it.
    pub fn policy_hash(&self, pay_to: &Address, f: &PaymentFixture) -> [u8; 32] {
        use ark_ff::{BigInteger, PrimeField};
        use x402_zk_encoding::layout::config_account::{ATTESTER_OFFSET, DOMAIN_OFFSET};
        let acc = self.svm.get_account(&self.config_pda()).expect("config");
        let attester: [u8; 64] = acc.data[ATTESTER_OFFSET..ATTESTER_OFFSET + 64]
            .try_into()
            .expect("64");
        let domain: [u8; 32] = acc.data[DOMAIN_OFFSET..DOMAIN_OFFSET + 32]
            .try_into()
            .expect("32");
        let inputs = x402_zk_encoding::PolicyHashInputs::from_values(
            &attester,
            &pay_to.to_bytes(),
            &f.asset,
            f.min_amount,
            f.max_age,
            &domain,
        )
        .ordered()
        .map(|b| ark_bn254::Fr::from_be_bytes_mod_order(&b));
        let h = x402_zk_circuits::poseidon::hash(&inputs).expect("arity 9");
        h.into_bigint().to_bytes_be().try_into().expect("32 bytes")
    }

    /// The policy PDA `[b"policy", policyHash]` of `f`'s terms paid to `pay_to`.
    pub fn policy_pda(&self, pay_to: &Address, f: &PaymentFixture) -> Address {
        self.pda(&policy_seeds(&self.policy_hash(pay_to, f)))
    }

    /// `register_policy` for `f`'s terms paid to `pay_to`, paid by the harness payer.
    pub fn register_policy_ix(&self, pay_to: &Address, f: &PaymentFixture) -> Instruction {
        let mut data = self.discriminator("register_policy");
        data.extend(register_policy_args(pay_to, f));
        Instruction::new_with_bytes(
            self.program_id,
            &data,
            vec![
                AccountMeta::new(self.payer.pubkey(), true),
                AccountMeta::new_readonly(self.config_pda(), false),
                AccountMeta::new(self.policy_pda(pay_to, f), false),
                AccountMeta::new_readonly(SYSTEM_PROGRAM.parse().expect("id"), false),
            ],
        )
    }

    pub fn register_policy(&mut self, pay_to: &Address, f: &PaymentFixture) -> Outcome {
        let ix = self.register_policy_ix(pay_to, f);
        self.send_ixs(vec![ix], &[])
    }

    /// The policy account for `f`'s terms paid to `pay_to`, made to exist: registered with
    /// `register_policy`, or — when the config refuses the terms now (a `maxAge` above a cap
    /// lowered since) — written directly as a registration under the earlier, higher cap would
    /// have left it, so that tests reach the verify-time checks.
    pub fn ensure_policy(&mut self, pay_to: &Address, f: &PaymentFixture) -> Address {
        let pda = self.policy_pda(pay_to, f);
        if self
            .svm
            .get_account(&pda)
            .is_some_and(|a| a.owner == self.program_id)
        {
            return pda;
        }
        let out = self.register_policy(pay_to, f);
        if out.ok {
            return pda;
        }
        assert_eq!(
            out.error_code().as_deref(),
            Some("ReceiptAgeTooLarge"),
            "register_policy: {:#?}",
            out.logs
        );
        self.write_policy_account(pay_to, f);
        pda
    }

    /// Writes the `Policy` account for `f`'s terms paid to `pay_to` under the config's current
    /// attester directly (bypassing `register_policy`'s cap check).
    pub fn write_policy_account(&mut self, pay_to: &Address, f: &PaymentFixture) {
        use x402_zk_encoding::layout::config_account::ATTESTER_OFFSET;
        use x402_zk_encoding::layout::policy_account as l;
        let hash = self.policy_hash(pay_to, f);
        let (pda, bump) = Address::find_program_address(&policy_seeds(&hash), &self.program_id);
        let config = self.svm.get_account(&self.config_pda()).expect("config");
        let mut data = vec![0u8; l::SPACE];
        data[..8].copy_from_slice(&self.account_discriminator("Policy"));
        data[l::POLICY_HASH_OFFSET..l::POLICY_HASH_OFFSET + 32].copy_from_slice(&hash);
        data[l::PAY_TO_OFFSET..l::PAY_TO_OFFSET + 32].copy_from_slice(pay_to.as_ref());
        data[l::ASSET_OFFSET..l::ASSET_OFFSET + 32].copy_from_slice(&f.asset);
        data[l::MIN_AMOUNT_OFFSET..l::MIN_AMOUNT_OFFSET + 8]
            .copy_from_slice(&f.min_amount.to_le_bytes());
        data[l::MAX_AGE_OFFSET..l::MAX_AGE_OFFSET + 8].copy_from_slice(&f.max_age.to_le_bytes());
        data[l::ATTESTER_OFFSET..l::ATTESTER_OFFSET + 64]
            .copy_from_slice(&config.data[ATTESTER_OFFSET..ATTESTER_OFFSET + 64]);
        data[l::RENT_PAYER_OFFSET..l::RENT_PAYER_OFFSET + 32]
            .copy_from_slice(self.payer.pubkey().as_ref());
        data[l::BUMP_OFFSET] = bump;
        let lamports = self.svm.minimum_balance_for_rent_exemption(l::SPACE);
        self.svm
            .set_account(
                pda,
                solana_account::Account {
                    lamports,
                    data,
                    owner: self.program_id,
                    executable: false,
                    rent_epoch: 0,
                },
            )
            .expect("set policy account");
    }

    /// The 8-byte Anchor discriminator of an account type, read from the generated IDL.
    pub fn account_discriminator(&self, name: &str) -> Vec<u8> {
        self.idl["accounts"]
            .as_array()
            .expect("IDL accounts")
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no account {name} in IDL"))["discriminator"]
            .as_array()
            .expect("discriminator")
            .iter()
            .map(|b| b.as_u64().expect("byte") as u8)
            .collect()
    }

    /// `verify_payment` instruction for `f`, paid to `pay_to` (its policy account made to exist
    /// first), burning at `nullifier_account`.
    pub fn verify_payment_ix(
        &mut self,
        f: &PaymentFixture,
        pay_to: Address,
        nullifier_account: Address,
    ) -> Instruction {
        let policy = self.ensure_policy(&pay_to, f);
        self.verify_payment_ix_with_policy(f, policy, nullifier_account)
    }

    /// `verify_payment` instruction for `f` under the account `policy` (whatever it holds).
    pub fn verify_payment_ix_with_policy(
        &self,
        f: &PaymentFixture,
        policy: Address,
        nullifier_account: Address,
    ) -> Instruction {
        let mut data = self.discriminator("verify_payment");
        data.extend(payment_bytes(f));
        let accounts = vec![
            AccountMeta::new(self.payer.pubkey(), true),
            AccountMeta::new_readonly(self.config_pda(), false),
            AccountMeta::new_readonly(self.vk_account, false),
            AccountMeta::new_readonly(policy, false),
            AccountMeta::new(nullifier_account, false),
            AccountMeta::new_readonly(SYSTEM_PROGRAM.parse().expect("id"), false),
        ];
        Instruction::new_with_bytes(self.program_id, &data, accounts)
    }

    pub fn verify_payment(&mut self, f: &PaymentFixture) -> Outcome {
        let nullifier = self.nullifier_pda(&f.nullifier);
        let ix = self.verify_payment_ix(f, merchant(), nullifier);
        self.send_ixs(vec![ix], &[])
    }

    fn batch_data(&self, name: &str, fs: &[PaymentFixture]) -> Vec<u8> {
        let mut data = self.discriminator(name);
        data.extend_from_slice(&(fs.len() as u32).to_le_bytes());
        for f in fs {
            data.extend(payment_bytes(f));
        }
        data
    }

    /// `verify_batch` (inline) with the nullifier PDAs as remaining accounts.
    /// The policy account of a batch: `fs[0]`'s terms paid to [`merchant`] (made to exist), or
    /// the default fixture's when `fs` is empty.
    fn batch_policy(&mut self, fs: &[PaymentFixture]) -> Address {
        match fs.first() {
            Some(f) => self.ensure_policy(&merchant(), f),
            None => self.ensure_policy(&merchant(), &fixture(0)),
        }
    }

    pub fn verify_batch(&mut self, fs: &[PaymentFixture]) -> Outcome {
        let policy = self.batch_policy(fs);
        let data = self.batch_data("verify_batch", fs);
        let mut accounts = vec![
            AccountMeta::new(self.payer.pubkey(), true),
            AccountMeta::new_readonly(self.config_pda(), false),
            AccountMeta::new_readonly(self.vk_account, false),
            AccountMeta::new_readonly(policy, false),
            AccountMeta::new_readonly(SYSTEM_PROGRAM.parse().expect("id"), false),
        ];
        for f in fs {
            accounts.push(AccountMeta::new(self.nullifier_pda(&f.nullifier), false));
        }
        self.send(data, accounts, &[])
    }

    /// `check_batch` (verify only, no nullifiers).
    pub fn check_batch(&mut self, fs: &[PaymentFixture]) -> Outcome {
        let policy = self.batch_policy(fs);
        self.check_batch_with_policy(fs, policy)
    }

    /// `check_batch` under the account `policy` (whatever it holds).
    pub fn check_batch_with_policy(&mut self, fs: &[PaymentFixture], policy: Address) -> Outcome {
        let data = self.batch_data("check_batch", fs);
        let accounts = vec![
            AccountMeta::new_readonly(self.config_pda(), false),
            AccountMeta::new_readonly(self.vk_account, false),
            AccountMeta::new_readonly(policy, false),
        ];
        self.send(data, accounts, &[])
    }

    /// `SystemProgram::CreateAccount` of a program-owned, zeroed account for `n` payments (the
    /// payer funds it; `buf` must sign).
    pub fn create_buffer_account_ix(&self, buf: &Address, n: usize) -> Instruction {
        let space = x402_zk_encoding::layout::proof_buffer::space(n);
        let lamports = self.svm.minimum_balance_for_rent_exemption(space);
        // SystemProgram::CreateAccount: tag 0 u32 ‖ lamports u64 ‖ space u64 ‖ owner 32
        let mut data = 0u32.to_le_bytes().to_vec();
        data.extend_from_slice(&lamports.to_le_bytes());
        data.extend_from_slice(&(space as u64).to_le_bytes());
        data.extend_from_slice(self.program_id.as_ref());
        Instruction::new_with_bytes(
            SYSTEM_PROGRAM.parse().expect("id"),
            &data,
            vec![
                AccountMeta::new(self.payer.pubkey(), true),
                AccountMeta::new(*buf, true),
            ],
        )
    }

    /// `init_proof_buffer` for `buffer` with `authority`; `buffer_signs` marks the buffer as a
    /// signer in the instruction (the program requires it).
    pub fn init_proof_buffer_ix(
        &self,
        authority: &Address,
        buffer: &Address,
        buffer_signs: bool,
    ) -> Instruction {
        Instruction::new_with_bytes(
            self.program_id,
            &self.discriminator("init_proof_buffer"),
            vec![
                AccountMeta::new_readonly(*authority, true),
                AccountMeta::new(*buffer, buffer_signs),
            ],
        )
    }

    /// A new key, the same sequence in every run (see the payer's in [`Harness::new`]).
    pub fn keypair(&mut self) -> Keypair {
        self.keys_made += 1;
        let mut secret = [0x22; 32];
        secret[..8].copy_from_slice(&self.keys_made.to_le_bytes());
        Keypair::new_from_array(secret)
    }

    /// Creates a program-owned proof buffer for `n` payments and initializes it (payer = authority),
    /// in one transaction signed by the buffer's key.
    pub fn create_proof_buffer(&mut self, n: usize) -> Keypair {
        let buf = self.keypair();
        let create = self.create_buffer_account_ix(&buf.pubkey(), n);
        let init = self.init_proof_buffer_ix(&self.payer.pubkey(), &buf.pubkey(), true);
        let out = self.send_ixs(vec![create, init], &[&buf]);
        assert!(out.ok, "create proof buffer: {:#?}", out.logs);
        buf
    }

    /// Writes `fs` into slots `index…` of the buffer.
    pub fn write_proof_buffer(
        &mut self,
        buf: &Address,
        index: u32,
        fs: &[PaymentFixture],
    ) -> Outcome {
        let mut data = self.discriminator("write_proof_buffer");
        data.extend_from_slice(&index.to_le_bytes());
        data.extend_from_slice(&(fs.len() as u32).to_le_bytes());
        for f in fs {
            data.extend(payment_bytes(f));
        }
        let accounts = vec![
            AccountMeta::new(self.payer.pubkey(), true),
            AccountMeta::new(*buf, false),
        ];
        self.send(data, accounts, &[])
    }

    /// Fills a buffer with `fs` in chunks of two payments (what fits a real transaction).
    pub fn fill_proof_buffer(&mut self, fs: &[PaymentFixture]) -> Keypair {
        let buf = self.create_proof_buffer(fs.len());
        for (i, chunk) in fs.chunks(2).enumerate() {
            let out = self.write_proof_buffer(&buf.pubkey(), (i * 2) as u32, chunk);
            assert!(out.ok, "write_proof_buffer: {:#?}", out.logs);
        }
        buf
    }

    pub fn verify_batch_from_buffer(&mut self, buf: &Address, fs: &[PaymentFixture]) -> Outcome {
        let policy = self.batch_policy(fs);
        let data = self.discriminator("verify_batch_from_buffer");
        let mut accounts = vec![
            AccountMeta::new(self.payer.pubkey(), true),
            AccountMeta::new_readonly(self.config_pda(), false),
            AccountMeta::new_readonly(self.vk_account, false),
            AccountMeta::new_readonly(policy, false),
            AccountMeta::new_readonly(*buf, false),
            AccountMeta::new_readonly(SYSTEM_PROGRAM.parse().expect("id"), false),
        ];
        for f in fs {
            accounts.push(AccountMeta::new(self.nullifier_pda(&f.nullifier), false));
        }
        self.send(data, accounts, &[])
    }

    pub fn close_proof_buffer(&mut self, buf: &Address) -> Outcome {
        let data = self.discriminator("close_proof_buffer");
        let accounts = vec![
            AccountMeta::new(self.payer.pubkey(), true),
            AccountMeta::new(*buf, false),
        ];
        self.send(data, accounts, &[])
    }
}

/// Proofs for this program at [`TEST_NOW`], paid to [`merchant`]; `seed` picks the payer secret.
/// Cached under `target/litesvm-proof-cache/` (proving is deterministic in its inputs).
pub fn fixture(seed: u64) -> PaymentFixture {
    let idl: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo_root().join("target/idl/x402_zk_verifier.json")).expect("IDL"),
    )
    .expect("json");
    let program_id: Address = idl["address"]
        .as_str()
        .expect("address")
        .parse()
        .expect("address");
    fixture_for(
        seed,
        program_id.to_bytes(),
        merchant().to_bytes(),
        TEST_NOW as u64,
        b"GET https://example.com/weather",
    )
}

pub fn fixture_for(
    seed: u64,
    program_id: [u8; 32],
    pay_to: [u8; 32],
    now: u64,
    resource: &[u8],
) -> PaymentFixture {
    let (pk, vk) = proofs::dev_keys();
    fixture_with_key(pk, vk, seed, program_id, pay_to, now, resource)
}

/// [`fixture_for`] proven with another proving key (e.g. the ceremony's); cached per key.
pub fn fixture_with_key(
    pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>,
    vk: &ark_groth16::VerifyingKey<ark_bn254::Bn254>,
    seed: u64,
    program_id: [u8; 32],
    pay_to: [u8; 32],
    now: u64,
    resource: &[u8],
) -> PaymentFixture {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(proofs::vk_sha256(vk));
    h.update(seed.to_le_bytes());
    h.update(program_id);
    h.update(pay_to);
    h.update(now.to_le_bytes());
    h.update(resource);
    let key: [u8; 32] = h.finalize().into();
    let dir = repo_root().join("target/litesvm-proof-cache");
    let path = dir.join(format!(
        "{}.bin",
        key.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    let w = proofs::witness(seed, program_id, pay_to, now, resource);
    if let Ok(bytes) = std::fs::read(&path) {
        if bytes.len() == 256 {
            let mut f = proofs::public_fixture(&w);
            f.proof.copy_from_slice(&bytes);
            return f;
        }
    }
    let f = proofs::prove_with(pk, &w, seed);
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(&path, f.proof);
    f
}

/// The program id from the built IDL.
pub fn idl_program_id() -> Address {
    let idl: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo_root().join("target/idl/x402_zk_verifier.json")).expect("IDL"),
    )
    .expect("json");
    idl["address"]
        .as_str()
        .expect("address")
        .parse()
        .expect("address")
}
