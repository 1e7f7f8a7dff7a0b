//! anchor-client tests of the built program on a real `solana-test-validator`.
//!
//! [`TestEnv::start`] launches a validator of its own (free ports, a temporary ledger, `--reset`,
//! the program from `target/deploy/x402_zk_verifier.so` at the address of
//! `keys/x402_zk_verifier-keypair.json`, loaded **upgradeable** with the test payer as its upgrade
//! authority, as a real deployment is) and stops it when dropped. Everything on chain goes through
//! anchor-client: [`anchor_client::Program`] and its [`anchor_client::RequestBuilder`] with the
//! program crate's generated `accounts::*` / `instruction::*` types. Proofs are real: the receipt
//! circuit (`x402-zk-circuits`) proven with the deterministic dev keys (whose verifying key,
//! `keys/dev/solana_vk.bin`, the config is initialized with) or with keys from a small ceremony run
//! ([`Prover::ceremony`]), for the `now` of the validator's Clock sysvar (the program checks it
//! against its skew).
use std::net::{TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anchor_client::anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_client::anchor_lang::solana_program::bpf_loader_upgradeable;
use anchor_client::anchor_lang::system_program;
use anchor_client::{Client, ClientError, Cluster, CommitmentConfig, Instruction, Program};
use anyhow::{anyhow, bail, Context, Result};
use ark_bn254::Fr;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use solana_keypair::Keypair;
use solana_rpc_client_api::client_error::ErrorKind;
use solana_rpc_client_api::config::RpcTransactionConfig;
use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData};
use solana_signer::Signer;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::UiTransactionEncoding;
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::field::fr_to_be_bytes;
use x402_zk_circuits::groth16::ProvingKeys;
use x402_zk_circuits::receipt::{commitment, PublicParams, Receipt, Witness};
use x402_zk_verifier::errors::ErrorCode;
use x402_zk_verifier::instructions::{InitializeConfigArgs, PaymentProof};
use x402_zk_verifier::state::{CONFIG_SEED, NULLIFIER_SEED, VK_SEED};
use x402_zk_verifier::{accounts, instruction};

pub use solana_signature::Signature;

/// The Clock sysvar's address.
pub const CLOCK_SYSVAR: &str = "SysvarC1ock11111111111111111111111111111111";

/// What every test program handle looks like: payer behind an `Arc` (thread-safe for async).
pub type Prog = Program<Arc<Keypair>>;

/// `RequestBuilder::send`, except that a transaction whose blockhash expired before it landed is
/// signed again with a new blockhash and resent (at most [`SEND_ATTEMPTS`] times). The suites run
/// validators with 100 ms slots (blockhashes live ~15 s) beside another lane of suites on 2 cores;
/// `send` gives up with "unable to confirm transaction" when one is starved that long (a CI run on
/// 2026-12-03 failed so). An expired blockhash means the transaction can never land, so resending
/// cannot pay twice; a transaction seen as processed is waited for, never resent.
#[allow(async_fn_in_trait)]
pub trait SendLanded {
    async fn send_landed(&self, program: &Prog) -> Result<Signature, ClientError>;
}

/// Tries of [`SendLanded::send_landed`] before it reports the expiry.
pub const SEND_ATTEMPTS: usize = 3;

impl SendLanded
    for anchor_client::RequestBuilder<'_, Arc<Keypair>, Arc<dyn anchor_client::ThreadSafeSigner>>
{
    async fn send_landed(&self, program: &Prog) -> Result<Signature, ClientError> {
        let rpc = program.rpc();
        let status = |sig: Signature, c: CommitmentConfig| {
            let rpc = &rpc;
            async move {
                rpc.get_signature_status_with_commitment(&sig, c)
                    .await
                    .map_err(Box::new)
            }
        };
        for attempt in 1..=SEND_ATTEMPTS {
            let tx = self.signed_transaction().await?;
            let blockhash = tx.message.recent_blockhash;
            let sig = rpc.send_transaction(&tx).await.map_err(Box::new)?;
            let deadline = Instant::now() + Duration::from_secs(120);
            loop {
                if Instant::now() > deadline {
                    return Err(ClientError::SolanaClientError(Box::new(
                        RpcError::ForUser(format!("transaction {sig} not confirmed after 120 s"))
                            .into(),
                    )));
                }
                match status(sig, CommitmentConfig::confirmed()).await? {
                    Some(Ok(())) => return Ok(sig),
                    Some(Err(e)) => return Err(ClientError::SolanaClientError(Box::new(e.into()))),
                    None => {}
                }
                let expired = !rpc
                    .is_blockhash_valid(&blockhash, CommitmentConfig::processed())
                    .await
                    .map_err(Box::new)?;
                if expired && status(sig, CommitmentConfig::processed()).await?.is_none() {
                    eprintln!("transaction {sig} expired before it landed (attempt {attempt} of {SEND_ATTEMPTS}): sending it again with a new blockhash");
                    break;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
        Err(ClientError::SolanaClientError(Box::new(
            RpcError::ForUser(format!(
                "transaction expired {SEND_ATTEMPTS} times before it landed"
            ))
            .into(),
        )))
    }
}

/// Compute units requested for every program transaction (Groth16 needs more than the 200k default).
pub const CU_LIMIT: u32 = 1_400_000;
/// Seed of the attester key the config is initialized with (any BabyJubJub key works).
pub const ATTESTER_SEED: u64 = 0xa77e_5700;
/// Amount the dev receipts pay; terms ask for [`MIN_AMOUNT`].
pub const PAID_AMOUNT: u64 = 1_500;
pub const MIN_AMOUNT: u64 = 1_000;
pub const MAX_AGE: u64 = 3_600;

/// The repository root (this crate lives in `tests/anchor-client`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// ---------------------------------------------------------------------------------------------
// The validator

/// A `solana-test-validator` child process with the program preloaded; killed on drop.
pub struct Validator {
    child: Child,
    pub rpc_url: String,
    pub ws_url: String,
    ledger: tempfile::TempDir,
}

/// Ports the validator binds from `base`: RPC `base`, websocket `base + 1`, faucet `base + 2`,
/// gossip `base + 3`, and the dynamic range `base + 10 .. base + 10 + DYNAMIC_PORTS`.
const DYNAMIC_PORTS: u16 = 40;
const PORT_SPAN: u16 = 10 + DYNAMIC_PORTS;

fn port_free(p: u16) -> bool {
    TcpListener::bind(("0.0.0.0", p)).is_ok() && UdpSocket::bind(("0.0.0.0", p)).is_ok()
}

/// First base port in 28000..32000 (or `$X402_ZK_VALIDATOR_PORTS`, e.g. `23000-24999`, when
/// several people share a machine) whose whole span is free (well away from `anchor test`'s
/// 8899/8900/9900 and the demo's 18xxx); the start depends on the pid so concurrent test binaries
/// do not race for the same span.
fn free_base_port() -> Result<u16> {
    let (lo, hi) = match std::env::var("X402_ZK_VALIDATOR_PORTS") {
        Ok(r) => {
            let (a, b) = r
                .split_once('-')
                .context("X402_ZK_VALIDATOR_PORTS is LOW-HIGH")?;
            (a.trim().parse::<u16>()?, b.trim().parse::<u16>()?)
        }
        Err(_) => (28_000, 32_000),
    };
    let slots = hi.saturating_sub(lo) / PORT_SPAN;
    if slots == 0 {
        bail!("port range {lo}-{hi} is narrower than {PORT_SPAN}");
    }
    let first = std::process::id() as u16 % slots;
    for i in 0..slots {
        let base = lo + ((first + i) % slots) * PORT_SPAN;
        if (base..base + PORT_SPAN).all(port_free) {
            return Ok(base);
        }
    }
    bail!("no free port span of {PORT_SPAN} in {lo}..{hi}")
}

impl Validator {
    /// Starts the validator and waits until it answers and the program is deployed, loaded with
    /// the upgradeable loader (`--upgradeable-program`) and `upgrade_authority` as its upgrade
    /// authority (`initialize_config` is accepted only from that key).
    pub async fn start(upgrade_authority: &Pubkey) -> Result<Self> {
        let root = repo_root();
        // `$X402_ZK_PROGRAM_SO` runs the tests against another build (e.g. the previous commit's).
        let so = std::env::var_os("X402_ZK_PROGRAM_SO")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/deploy/x402_zk_verifier.so"));
        let program_keypair = root.join("keys/x402_zk_verifier-keypair.json");
        if !so.exists() {
            bail!(
                "{} missing: run scripts/build.sh (anchor build) first",
                so.display()
            );
        }
        let kp = solana_keypair::read_keypair_file(&program_keypair)
            .map_err(|e| anyhow!("read {}: {e}", program_keypair.display()))?;
        if kp.pubkey() != x402_zk_verifier::ID {
            bail!(
                "{} is {}, but the program declares {}",
                program_keypair.display(),
                kp.pubkey(),
                x402_zk_verifier::ID
            );
        }
        let ledger = tempfile::Builder::new()
            .prefix("x402-anchor-client-ledger-")
            .tempdir()?;
        let base = free_base_port()?;
        let log = std::fs::File::create(ledger.path().join("validator.log"))?;
        // Shorter slots when the suites ask for them (scripts/test.sh exports STACK_TICKS_PER_SLOT, as
        // for its validator stacks): every confirmation these tests wait for comes that much sooner.
        let ticks: Vec<String> = match std::env::var("STACK_TICKS_PER_SLOT") {
            Ok(t) if !t.is_empty() => vec!["--ticks-per-slot".into(), t],
            _ => Vec::new(),
        };
        let child = Command::new("solana-test-validator")
            .args(&ticks)
            .arg("--reset")
            .arg("--quiet")
            .arg("--ledger")
            .arg(ledger.path().join("ledger"))
            .args(["--bind-address", "127.0.0.1"])
            .args(["--rpc-port", &base.to_string()])
            .args(["--faucet-port", &(base + 2).to_string()])
            .args(["--gossip-port", &(base + 3).to_string()])
            .args([
                "--dynamic-port-range",
                &format!("{}-{}", base + 10, base + PORT_SPAN - 1),
            ])
            .arg("--upgradeable-program")
            .arg(x402_zk_verifier::ID.to_string())
            .arg(&so)
            .arg(upgrade_authority.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context(
                "spawn solana-test-validator (on PATH? source scripts/lib.sh; x402_tool_path)",
            )?;
        let mut v = Validator {
            child,
            rpc_url: format!("http://127.0.0.1:{base}"),
            ws_url: format!("ws://127.0.0.1:{}", base + 1),
            ledger,
        };
        v.wait_ready().await?;
        Ok(v)
    }

    fn log_tail(&self) -> String {
        let log =
            std::fs::read_to_string(self.ledger.path().join("validator.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    async fn wait_ready(&mut self) -> Result<()> {
        use solana_rpc_client::nonblocking::rpc_client::RpcClient;
        let rpc =
            RpcClient::new_with_commitment(self.rpc_url.clone(), CommitmentConfig::confirmed());
        let t0 = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "solana-test-validator exited with {status}:\n{}",
                    self.log_tail()
                );
            }
            let ready = match rpc.get_account(&x402_zk_verifier::ID).await {
                Ok(acc) => acc.executable && rpc.get_slot().await.unwrap_or(0) > 1,
                Err(_) => false,
            };
            if ready {
                println!(
                    "validator up at {} in {:.1}s (program {})",
                    self.rpc_url,
                    t0.elapsed().as_secs_f64(),
                    x402_zk_verifier::ID
                );
                return Ok(());
            }
            if t0.elapsed() > Duration::from_secs(120) {
                bail!(
                    "validator at {} not ready after 120 s:\n{}",
                    self.rpc_url,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Proofs

/// The committed dev verifying key (`keys/dev/solana_vk.bin`, the Solana export of the
/// deterministic dev setup; `tests/litesvm/tests/vk.rs` keeps it fresh): what the harness
/// initializes the config with, and what `migrations/deploy.ts` writes on localnet.
pub fn dev_vk_bytes() -> Vec<u8> {
    let path = repo_root().join("keys/dev/solana_vk.bin");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Proving material: the deterministic dev keys (whose verifying key is [`dev_vk_bytes`]) or a
/// ceremony's, and the attester whose public key the config holds.
pub struct Prover {
    pub keys: ProvingKeys,
    pub attester: Attester,
}

impl Prover {
    pub fn dev() -> Result<Self> {
        let t0 = Instant::now();
        let keys = ProvingKeys::dev_setup_deterministic()?;
        println!(
            "dev proving keys (deterministic setup) in {:.1}s",
            t0.elapsed().as_secs_f64()
        );
        let p = Prover {
            keys,
            attester: Attester::generate(&mut StdRng::seed_from_u64(ATTESTER_SEED)),
        };
        if p.vk_bytes() != dev_vk_bytes() {
            bail!("keys/dev/solana_vk.bin is not the dev setup's key: run UPDATE_DEV_KEYS=1 on tests/litesvm --test vk");
        }
        Ok(p)
    }

    /// Keys from a small run of the real ceremony (`x402_zk_ceremony::test_run`, cached
    /// under `target/ceremony-test-keys/`, shared with the LiteSVM tests), the same attester.
    pub fn ceremony() -> Result<Self> {
        let t0 = Instant::now();
        let dir = x402_zk_ceremony::test_run::cached_ceremony_dir(
            &repo_root().join("target/ceremony-test-keys"),
        )?;
        let keys = ProvingKeys::load(&dir)?;
        println!(
            "ceremony keys ({}) in {:.1}s",
            keys.provenance(),
            t0.elapsed().as_secs_f64()
        );
        Ok(Prover {
            keys,
            attester: Attester::generate(&mut StdRng::seed_from_u64(ATTESTER_SEED)),
        })
    }

    /// The verifying key bytes `initialize_config` / `set_verifying_key` take (`SolanaVk::to_bytes`).
    pub fn vk_bytes(&self) -> Vec<u8> {
        x402_zk_circuits::export::solana::vk(&self.keys.verifier.vk).to_bytes()
    }

    /// The attester key as the program stores it: `Ax ‖ Ay`, 32 bytes big-endian each.
    pub fn attester_bytes(&self) -> [u8; 64] {
        let p = self.attester.public();
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&fr_to_be_bytes(&p.x));
        out[32..].copy_from_slice(&fr_to_be_bytes(&p.y));
        out
    }

    /// `SolanaVk::sha256` of the verifying key: what `Config.vk_hash` must be for these keys'
    /// proofs to verify.
    pub fn vk_sha256(&self) -> [u8; 32] {
        x402_zk_circuits::export::solana::vk(&self.keys.verifier.vk).sha256()
    }

    /// A real proof: the attester signed a receipt of [`PAID_AMOUNT`] to `pay_to`, 60 s before
    /// `now`; `seed` picks the payer's secret (hence the nullifier).
    pub fn payment(
        &self,
        seed: u64,
        pay_to: &Pubkey,
        now: u64,
        resource: &[u8],
    ) -> Result<Payment> {
        self.payment_aged(seed, pay_to, now, resource, MAX_AGE, 60)
    }

    /// [`Prover::payment`] with terms asking for `max_age` and the receipt paid `age` seconds
    /// before `now` (`age ≤ max_age`).
    pub fn payment_aged(
        &self,
        seed: u64,
        pay_to: &Pubkey,
        now: u64,
        resource: &[u8],
        max_age: u64,
        age: u64,
    ) -> Result<Payment> {
        use ark_ff::UniformRand;
        let mut rng = StdRng::seed_from_u64(seed);
        let secret = Fr::rand(&mut rng);
        let public = PublicParams {
            attester: self.attester.public(),
            pay_to: pay_to.to_bytes(),
            asset: [0u8; 32],
            min_amount: MIN_AMOUNT,
            now,
            max_age,
            resource_hash: x402_zk_circuits::receipt::resource_hash(resource),
            program_id: x402_zk_verifier::ID.to_bytes(),
        };
        let receipt = Receipt {
            pay_to: public.pay_to,
            asset: public.asset,
            amount: PAID_AMOUNT,
            paid_at: now - age,
            commitment: commitment(&secret),
        };
        let w = Witness {
            public,
            secret,
            amount: receipt.amount,
            paid_at: receipt.paid_at,
            signature: receipt.sign(&self.attester),
        };
        let t0 = Instant::now();
        let bundle = x402_zk_circuits::groth16::prove(&self.keys, &w, &mut rng)?;
        println!(
            "proved payment seed {seed} for now = {now} in {:.2}s",
            t0.elapsed().as_secs_f64()
        );
        Ok(Payment {
            terms: PaymentTerms {
                asset: Pubkey::new_from_array(public.asset),
                min_amount: public.min_amount,
                max_age: public.max_age,
            },
            attester: public.attester,
            proof: PaymentProof {
                proof: bundle.solana_proof_bytes(),
                now,
                resource_hash: fr_to_be_bytes(&public.resource_hash),
                nullifier: bundle.nullifier_bytes(),
            },
            pay_to: *pay_to,
        })
    }
}

/// The merchant's terms a payment was proven for (registered as a `Policy` with the payee).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentTerms {
    pub asset: Pubkey,
    pub min_amount: u64,
    pub max_age: u64,
}

/// One payment as the program takes it.
#[derive(Clone, Copy, Debug)]
pub struct Payment {
    pub terms: PaymentTerms,
    /// The attester the proof was made under (with `pay_to`, `terms` and the program's domain it
    /// gives the `Policy` account; tests that tamper with `pay_to` or `terms` get the tampered one's).
    pub attester: x402_zk_circuits::Point,
    pub proof: PaymentProof,
    pub pay_to: Pubkey,
}

impl Payment {
    /// `policyHash` of (attester, payTo, terms, domain), as the circuit and the program compute it.
    pub fn policy_hash(&self) -> [u8; 32] {
        let public = PublicParams {
            attester: self.attester,
            pay_to: self.pay_to.to_bytes(),
            asset: self.terms.asset.to_bytes(),
            min_amount: self.terms.min_amount,
            now: self.proof.now,
            max_age: self.terms.max_age,
            resource_hash: Fr::from(0u64),
            program_id: x402_zk_verifier::ID.to_bytes(),
        };
        fr_to_be_bytes(&public.policy_hash())
    }

    /// The `Policy` PDA of this payment's terms.
    pub fn policy(&self) -> Pubkey {
        Pubkey::find_program_address(
            &[x402_zk_verifier::state::POLICY_SEED, &self.policy_hash()],
            &x402_zk_verifier::ID,
        )
        .0
    }
}

// ---------------------------------------------------------------------------------------------
// The client side

pub fn config_pda() -> Pubkey {
    Pubkey::find_program_address(&[CONFIG_SEED], &x402_zk_verifier::ID).0
}

/// The verifying key account `[b"vk"]`.
pub fn vk_pda() -> Pubkey {
    Pubkey::find_program_address(&[VK_SEED], &x402_zk_verifier::ID).0
}

/// The program's ProgramData account (loader-v3): `[program_id]` under the upgradeable loader.
pub fn program_data_address() -> Pubkey {
    Pubkey::find_program_address(
        &[x402_zk_verifier::ID.as_ref()],
        &bpf_loader_upgradeable::ID,
    )
    .0
}

/// The upgrade authority recorded in the program's ProgramData (`None`: immutable).
pub async fn upgrade_authority(program: &Prog) -> Result<Option<Pubkey>> {
    let acc = program.rpc().get_account(&program_data_address()).await?;
    // UpgradeableLoaderState::ProgramData (bincode): tag u32 = 3 ‖ slot u64 ‖ Option<Pubkey>.
    if acc.owner != bpf_loader_upgradeable::ID
        || acc.data.len() < 45
        || acc.data[..4] != [3, 0, 0, 0]
    {
        bail!("{} is not a ProgramData account", program_data_address());
    }
    Ok((acc.data[12] == 1)
        .then(|| Pubkey::new_from_array(acc.data[13..45].try_into().expect("32"))))
}

pub fn nullifier_pda(nullifier: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[NULLIFIER_SEED, nullifier], &x402_zk_verifier::ID)
}

/// `SetComputeUnitLimit(limit)` of the compute-budget program (its own interface crate).
pub fn compute_budget_ix(limit: u32) -> Instruction {
    solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(limit)
}

/// A running validator, a funded payer and an anchor-client `Program` for the verifier.
pub struct TestEnv {
    pub validator: Validator,
    pub payer: Arc<Keypair>,
    pub program: Prog,
}

impl TestEnv {
    /// A validator whose program's upgrade authority is `payer` (the test's deploy wallet).
    pub async fn start() -> Result<Self> {
        let payer = Arc::new(Keypair::new());
        let validator = Validator::start(&payer.pubkey()).await?;
        let program = program_for(&validator, payer.clone())?;
        airdrop(&program, &payer.pubkey(), 100_000_000_000).await?;
        Ok(TestEnv {
            validator,
            payer,
            program,
        })
    }

    /// Another identity on the same validator, funded with 10 SOL.
    pub async fn client(&self) -> Result<(Arc<Keypair>, Prog)> {
        let kp = Arc::new(Keypair::new());
        let program = program_for(&self.validator, kp.clone())?;
        airdrop(&program, &kp.pubkey(), 10_000_000_000).await?;
        Ok((kp, program))
    }
}

/// anchor-client's handle on the verifier for `payer`, at `confirmed` commitment.
pub fn program_for(v: &Validator, payer: Arc<Keypair>) -> Result<Prog> {
    let cluster = Cluster::Custom(v.rpc_url.clone(), v.ws_url.clone());
    let client = Client::new_with_options(cluster, payer, CommitmentConfig::confirmed());
    Ok(client.program(x402_zk_verifier::ID)?)
}

pub async fn airdrop(program: &Prog, to: &Pubkey, lamports: u64) -> Result<()> {
    let rpc = program.rpc();
    let sig = rpc.request_airdrop(to, lamports).await?;
    let t0 = Instant::now();
    while !rpc
        .confirm_transaction_with_commitment(&sig, CommitmentConfig::confirmed())
        .await?
        .value
    {
        if t0.elapsed() > Duration::from_secs(60) {
            bail!("airdrop to {to} not confirmed after 60 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// The validator's Clock sysvar (what the program's `Clock::get()` returns): `(slot, unix_timestamp)`.
pub async fn validator_clock(program: &Prog) -> Result<(u64, i64)> {
    let acc = program.rpc().get_account(&CLOCK_SYSVAR.parse()?).await?;
    // bincode: slot u64 ‖ epoch_start_timestamp i64 ‖ epoch u64 ‖ leader_schedule_epoch u64 ‖ unix_timestamp i64
    let d = &acc.data;
    if d.len() < 40 {
        bail!("clock sysvar has {} bytes", d.len());
    }
    let slot = u64::from_le_bytes(d[0..8].try_into()?);
    let unix = i64::from_le_bytes(d[32..40].try_into()?);
    Ok((slot, unix))
}

/// `initialize_config` signed by `program`'s payer, presenting the program's real ProgramData
/// (accepted only when the payer is the upgrade authority); the receipt age cap is [`MAX_AGE`]
/// (the dev payments' `maxAge`).
pub async fn initialize_config(
    program: &Prog,
    attester: [u8; 64],
    max_clock_skew_seconds: u32,
) -> Result<Signature, ClientError> {
    initialize_config_with(
        program,
        program_data_address(),
        attester,
        max_clock_skew_seconds,
    )
    .await
}

/// `initialize_config` presenting `program_data` as the program's ProgramData.
pub async fn initialize_config_with(
    program: &Prog,
    program_data: Pubkey,
    attester: [u8; 64],
    max_clock_skew_seconds: u32,
) -> Result<Signature, ClientError> {
    initialize_config_full(
        program,
        program_data,
        attester,
        max_clock_skew_seconds,
        MAX_AGE as u32,
    )
    .await
}

/// `initialize_config` with every argument but the key (the dev key, [`dev_vk_bytes`]).
pub async fn initialize_config_full(
    program: &Prog,
    program_data: Pubkey,
    attester: [u8; 64],
    max_clock_skew_seconds: u32,
    max_receipt_age_seconds: u32,
) -> Result<Signature, ClientError> {
    initialize_config_keyed(
        program,
        program_data,
        attester,
        max_clock_skew_seconds,
        max_receipt_age_seconds,
        dev_vk_bytes(),
    )
    .await
}

/// `initialize_config` with every argument, including the verifying key bytes.
pub async fn initialize_config_keyed(
    program: &Prog,
    program_data: Pubkey,
    attester: [u8; 64],
    max_clock_skew_seconds: u32,
    max_receipt_age_seconds: u32,
    verifying_key: Vec<u8>,
) -> Result<Signature, ClientError> {
    let verifying_key = vk_array(&verifying_key);
    program
        .request()
        .accounts(accounts::InitializeConfig {
            authority: program.payer(),
            config: config_pda(),
            verifying_key: vk_pda(),
            system_program: system_program::ID,
            program: x402_zk_verifier::ID,
            program_data,
        })
        .args(instruction::InitializeConfig {
            args: InitializeConfigArgs {
                attester,
                max_clock_skew_seconds,
                max_receipt_age_seconds,
                verifying_key,
            },
        })
        .send_landed(program)
        .await
}

/// Key bytes as the instruction's `[u8; VK_LEN]` (zero-padded or cut: tests of malformed keys
/// send wrong bytes, never a wrong length, which the typed client cannot encode).
pub fn vk_array(key: &[u8]) -> [u8; x402_zk_verifier::vk::VK_LEN] {
    let mut out = [0u8; x402_zk_verifier::vk::VK_LEN];
    let n = key.len().min(out.len());
    out[..n].copy_from_slice(&key[..n]);
    out
}

/// `set_verifying_key(key)` signed by `program`'s payer as the authority.
pub async fn set_verifying_key(program: &Prog, key: Vec<u8>) -> Result<Signature, ClientError> {
    let key = vk_array(&key);
    program
        .request()
        .accounts(accounts::SetVerifyingKey {
            authority: program.payer(),
            config: config_pda(),
            verifying_key: vk_pda(),
        })
        .args(instruction::SetVerifyingKey { key })
        .send_landed(program)
        .await
}

/// `close_expired_nullifiers` for the nullifiers of `nullifiers`, all with rent payer
/// `rent_payer`, sent (and paid) by `program`'s payer.
pub async fn close_expired_nullifiers(
    program: &Prog,
    nullifiers: &[[u8; 32]],
    rent_payer: &Pubkey,
) -> Result<Signature, ClientError> {
    let mut req = program
        .request()
        .accounts(accounts::CloseExpiredNullifiers {});
    for n in nullifiers {
        req = req
            .accounts(AccountMeta::new(nullifier_pda(n).0, false))
            .accounts(AccountMeta::new(*rent_payer, false));
    }
    req.args(instruction::CloseExpiredNullifiers {})
        .send_landed(program)
        .await
}

/// An admin instruction signed by `program`'s payer as the authority.
pub async fn admin(
    program: &Prog,
    args: impl anchor_client::anchor_lang::InstructionData,
) -> Result<Signature, ClientError> {
    program
        .request()
        .accounts(accounts::AdminConfig {
            authority: program.payer(),
            config: config_pda(),
        })
        .args(args)
        .send_landed(program)
        .await
}

/// `register_policy` for `p`'s payee and terms (idempotent on chain: a registered policy stays).
pub async fn register_policy(program: &Prog, p: &Payment) -> Result<Signature, ClientError> {
    program
        .request()
        .accounts(accounts::RegisterPolicy {
            payer: program.payer(),
            config: config_pda(),
            policy: p.policy(),
            system_program: system_program::ID,
        })
        .args(instruction::RegisterPolicy {
            pay_to: p.pay_to,
            asset: p.terms.asset,
            min_amount: p.terms.min_amount,
            max_age: p.terms.max_age,
        })
        .send_landed(program)
        .await
}

/// `register_policy` for `p` unless its policy account exists (a transaction of its own, so the
/// verification's compute units and balance change are its own).
pub async fn ensure_policy(program: &Prog, p: &Payment) -> Result<(), ClientError> {
    let exists = program
        .rpc()
        .get_account_with_commitment(&p.policy(), CommitmentConfig::confirmed())
        .await
        .map_err(|e| ClientError::SolanaClientError(Box::new(e)))?
        .value
        .is_some();
    if !exists {
        register_policy(program, p).await?;
    }
    Ok(())
}

/// `verify_payment` of `p`, after making sure its policy account exists.
pub async fn verify_payment(program: &Prog, p: &Payment) -> Result<Signature, ClientError> {
    ensure_policy(program, p).await?;
    program
        .request()
        .instruction(compute_budget_ix(CU_LIMIT))
        .accounts(accounts::VerifyPayment {
            payer: program.payer(),
            config: config_pda(),
            verifying_key: vk_pda(),
            policy: p.policy(),
            nullifier: nullifier_pda(&p.proof.nullifier).0,
            system_program: system_program::ID,
        })
        .args(instruction::VerifyPayment { payment: p.proof })
        .send_landed(program)
        .await
}

/// `verify_batch` of payments to one merchant, nullifier PDAs as remaining accounts in proof order.
pub async fn verify_batch(program: &Prog, ps: &[Payment]) -> Result<Signature, ClientError> {
    let first = ps.first().expect("non-empty batch");
    ensure_policy(program, first).await?;
    let mut req = program
        .request()
        .instruction(compute_budget_ix(CU_LIMIT))
        .accounts(accounts::VerifyBatch {
            payer: program.payer(),
            config: config_pda(),
            verifying_key: vk_pda(),
            policy: first.policy(),
            system_program: system_program::ID,
        });
    for p in ps {
        req = req.accounts(AccountMeta::new(nullifier_pda(&p.proof.nullifier).0, false));
    }
    req.args(instruction::VerifyBatch {
        payments: ps.iter().map(|p| p.proof).collect(),
    })
    .send_landed(program)
    .await
}

/// Space of a proof buffer for `n` payments: header (magic ‖ authority ‖ len) + n · 328.
pub fn proof_buffer_space(n: usize) -> usize {
    x402_zk_verifier::instructions::proof_buffer::ProofBufferHeader::LEN + n * PaymentProof::LEN
}

/// `SystemProgram::CreateAccount` (encoded by hand) of a program-owned, zeroed account for `n`
/// payments, funded by `payer`; `buffer` must sign.
pub async fn create_buffer_account_ix(
    program: &Prog,
    payer: &Pubkey,
    buffer: &Pubkey,
    n: usize,
) -> Result<Instruction> {
    let space = proof_buffer_space(n);
    let lamports = program
        .rpc()
        .get_minimum_balance_for_rent_exemption(space)
        .await?;
    // CreateAccount: tag 0 u32 ‖ lamports u64 ‖ space u64 ‖ owner 32
    let mut data = 0u32.to_le_bytes().to_vec();
    data.extend_from_slice(&lamports.to_le_bytes());
    data.extend_from_slice(&(space as u64).to_le_bytes());
    data.extend_from_slice(x402_zk_verifier::ID.as_ref());
    Ok(Instruction {
        program_id: system_program::ID,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(*buffer, true),
        ],
        data,
    })
}

/// Creates a program-owned account for `n` payments and marks it as the payer's proof buffer
/// (`init_proof_buffer`, which needs the buffer's signature), in one transaction.
pub async fn create_proof_buffer(program: &Prog, n: usize) -> Result<Keypair> {
    let buffer = Keypair::new();
    let create = create_buffer_account_ix(program, &program.payer(), &buffer.pubkey(), n).await?;
    program
        .request()
        .instruction(create)
        .accounts(accounts::InitProofBuffer {
            authority: program.payer(),
            proof_buffer: buffer.pubkey(),
        })
        .args(instruction::InitProofBuffer {})
        .signer(buffer.insecure_clone())
        .send_landed(program)
        .await?;
    Ok(buffer)
}

/// `init_proof_buffer` of `buffer` for `program`'s payer, as its own transaction: with the
/// buffer's key as a signer when `buffer_key` is given, else with the buffer as a plain writable
/// account (the instruction encoded by hand: the generated `accounts::InitProofBuffer` marks it a
/// signer, so the client would refuse to send it).
pub async fn init_proof_buffer(
    program: &Prog,
    buffer: &Pubkey,
    buffer_key: Option<&Keypair>,
) -> Result<Signature, ClientError> {
    use anchor_client::anchor_lang::InstructionData;
    match buffer_key {
        Some(k) => {
            program
                .request()
                .accounts(accounts::InitProofBuffer {
                    authority: program.payer(),
                    proof_buffer: *buffer,
                })
                .args(instruction::InitProofBuffer {})
                .signer(k.insecure_clone())
                .send_landed(program)
                .await
        }
        None => {
            let ix = Instruction {
                program_id: x402_zk_verifier::ID,
                accounts: vec![
                    AccountMeta::new_readonly(program.payer(), true),
                    AccountMeta::new(*buffer, false),
                ],
                data: instruction::InitProofBuffer {}.data(),
            };
            program.request().instruction(ix).send_landed(program).await
        }
    }
}

pub async fn write_proof_buffer(
    program: &Prog,
    buffer: &Pubkey,
    index: u32,
    ps: &[Payment],
) -> Result<Signature, ClientError> {
    program
        .request()
        .accounts(accounts::ProofBufferAuthority {
            authority: program.payer(),
            proof_buffer: *buffer,
        })
        .args(instruction::WriteProofBuffer {
            index,
            payments: ps.iter().map(|p| p.proof).collect(),
        })
        .send_landed(program)
        .await
}

/// `verify_batch_from_buffer` for the payments stored in `buffer` (nullifier PDAs in that order).
pub async fn verify_batch_from_buffer(
    program: &Prog,
    buffer: &Pubkey,
    ps: &[Payment],
) -> Result<Signature, ClientError> {
    let first = ps.first().expect("non-empty batch");
    ensure_policy(program, first).await?;
    let mut req = program
        .request()
        .instruction(compute_budget_ix(CU_LIMIT))
        .accounts(accounts::VerifyBatchFromBuffer {
            payer: program.payer(),
            config: config_pda(),
            verifying_key: vk_pda(),
            policy: first.policy(),
            proof_buffer: *buffer,
            system_program: system_program::ID,
        });
    for p in ps {
        req = req.accounts(AccountMeta::new(nullifier_pda(&p.proof.nullifier).0, false));
    }
    req.args(instruction::VerifyBatchFromBuffer {})
        .send_landed(program)
        .await
}

pub async fn close_proof_buffer(program: &Prog, buffer: &Pubkey) -> Result<Signature, ClientError> {
    program
        .request()
        .accounts(accounts::ProofBufferAuthority {
            authority: program.payer(),
            proof_buffer: *buffer,
        })
        .args(instruction::CloseProofBuffer {})
        .send_landed(program)
        .await
}

// ---------------------------------------------------------------------------------------------
// Results: transaction meta, events, typed errors

/// What the validator recorded for a landed transaction.
#[derive(Debug)]
pub struct Landed {
    pub slot: u64,
    pub compute_units: u64,
    /// Transaction fee in lamports, as the validator charged it (`meta.fee`).
    pub fee: u64,
    pub logs: Vec<String>,
}

impl Landed {
    /// The events of type `T` the program emitted in this transaction.
    pub fn events<
        T: anchor_client::anchor_lang::Event + anchor_client::anchor_lang::AnchorDeserialize,
    >(
        &self,
    ) -> Vec<T> {
        let id = x402_zk_verifier::ID.to_string();
        self.logs
            .iter()
            .filter(|l| l.starts_with("Program data: "))
            .filter_map(|l| anchor_client::handle_program_log::<T>(&id, l).ok()?.0)
            .collect()
    }
}

/// Fetches the confirmed transaction's slot, compute units and logs.
///
/// `getTransaction` can still answer `null` for a signature whose status is already `confirmed`
/// (the validator writes transaction details to its ledger store after the status; seen once in a
/// CI-sized run with the other lane busy), so it is asked again for up to 15 s.
pub async fn landed(program: &Prog, sig: &Signature) -> Result<Landed> {
    let cfg = RpcTransactionConfig {
        encoding: Some(UiTransactionEncoding::Json),
        commitment: Some(CommitmentConfig::confirmed()),
        max_supported_transaction_version: Some(0),
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    let tx = loop {
        match program.rpc().get_transaction_with_config(sig, cfg).await {
            Ok(tx) => break tx,
            Err(e) if Instant::now() < deadline => {
                eprintln!("getTransaction {sig}: {e}; asking again");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("getTransaction {sig} for 15 s")),
        }
    };
    let meta = tx.transaction.meta.context("transaction without meta")?;
    if let Some(err) = meta.err {
        bail!("transaction {sig} failed: {err:?}");
    }
    let compute_units = match meta.compute_units_consumed {
        OptionSerializer::Some(cu) => cu,
        _ => bail!("no compute_units_consumed in the meta of {sig}"),
    };
    let logs = match meta.log_messages {
        OptionSerializer::Some(l) => l,
        _ => vec![],
    };
    Ok(Landed {
        slot: tx.slot,
        compute_units,
        fee: meta.fee,
        logs,
    })
}

/// A failed send decoded: the custom program error number (if the program returned one) and the
/// preflight simulation's logs.
#[derive(Debug)]
pub struct Failure {
    pub custom_code: Option<u32>,
    pub logs: Vec<String>,
    pub message: String,
}

impl Failure {
    pub fn from_client_error(e: &ClientError) -> Self {
        let message = e.to_string();
        let (custom_code, logs) = match e {
            ClientError::SolanaClientError(ce) => {
                let code = ce.get_transaction_error().and_then(|te| {
                    use solana_transaction_error::TransactionError;
                    match te {
                        TransactionError::InstructionError(
                            _,
                            solana_instruction_error::InstructionError::Custom(c),
                        ) => Some(c),
                        _ => None,
                    }
                });
                let logs = match ce.kind() {
                    ErrorKind::RpcError(RpcError::RpcResponseError {
                        data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
                        ..
                    }) => sim.logs.clone().unwrap_or_default(),
                    _ => vec![],
                };
                (code, logs)
            }
            _ => (None, vec![]),
        };
        Failure {
            custom_code,
            logs,
            message,
        }
    }

    /// The Anchor error name the program logged (`… Error Code: <Name>. Error Number: …`).
    pub fn anchor_error_name(&self) -> Option<String> {
        self.logs.iter().find_map(|l| {
            let rest = l.split("Error Code: ").nth(1)?;
            Some(rest.split('.').next()?.to_string())
        })
    }

    pub fn has_log(&self, needle: &str) -> bool {
        self.logs.iter().any(|l| l.contains(needle))
    }
}

/// Asserts that `res` failed with the program's typed error `code`: the transaction error carries
/// its number (`6000 + index`) and the program logged its name.
pub fn expect_program_error<T: std::fmt::Debug>(
    what: &str,
    res: Result<T, ClientError>,
    code: ErrorCode,
) -> Failure {
    expect_error(what, res, code)
}

/// [`expect_program_error`] for any typed error: the program's `ErrorCode` or Anchor's own
/// (`anchor_lang::error::ErrorCode`, e.g. `AccountNotSigner` = 3010).
pub fn expect_error<T: std::fmt::Debug, C: Into<u32> + std::fmt::Debug + Copy>(
    what: &str,
    res: Result<T, ClientError>,
    code: C,
) -> Failure {
    let err = match res {
        Ok(v) => panic!("{what}: expected {code:?}, but it succeeded ({v:?})"),
        Err(e) => e,
    };
    let f = Failure::from_client_error(&err);
    let number: u32 = code.into();
    assert_eq!(
        f.custom_code,
        Some(number),
        "{what}: expected custom error {number} ({code:?}), got {}\nlogs: {:#?}",
        f.message,
        f.logs
    );
    assert_eq!(
        f.anchor_error_name().as_deref(),
        Some(format!("{code:?}").as_str()),
        "{what}: logs name another error: {:#?}",
        f.logs
    );
    println!("{what}: refused with {code:?} ({number})");
    f
}

/// Appends `name = cu` to `target/anchor-client-cu.json` (validator figures for BENCHMARKS.md).
pub fn record_cu(name: &str, cu: u64) {
    record_figure("anchor-client-cu.json", name, cu);
    println!("compute units: {name} = {cu}");
}

/// Appends `name = lamports` to `target/anchor-client-lamports.json` (what a payment costs, from
/// balances on the validator, for BENCHMARKS.md).
pub fn record_lamports(name: &str, lamports: u64) {
    record_figure("anchor-client-lamports.json", name, lamports);
    println!("lamports: {name} = {lamports}");
}

fn record_figure(file: &str, name: &str, value: u64) {
    let path = repo_root().join("target").join(file);
    let mut map: serde_json::Map<String, serde_json::Value> = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    map.insert(name.to_string(), value.into());
    let mut bytes = serde_json::to_vec_pretty(&map).expect("json");
    bytes.push(b'\n');
    let _ = std::fs::write(&path, bytes);
}
