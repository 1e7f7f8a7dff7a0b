//! `x402-zk ceremony …`: one subcommand per ceremony step. Every step that changes a file prints the new
//! transcript hash (publish it in your attestation); `verify` / `phase2-verify` print the whole transcript.

use super::beacon::{parse_beacon_hex, participant_rng};
use super::phase1::Phase1;
use super::phase2::Phase2;
use super::{hex_digest, io, ptau, Digest};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use x402_zk_circuits::circuit::ReceiptCircuit;
use x402_zk_circuits::export;

/// Ceremony steps.
#[derive(Subcommand, Debug)]
pub enum CeremonyCmd {
    /// Phase 1: start a new powers-of-tau accumulator of 2^power powers.
    New {
        /// log2 of the number of powers (the receipt circuit needs 13; use ≥ 14 for headroom).
        #[arg(long, default_value_t = 14)]
        power: u32,
        /// Output phase-1 file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Phase 1: add your contribution (OS randomness mixed with your text, then discarded).
    Contribute {
        /// Input phase-1 file (from the previous participant).
        #[arg(long = "in")]
        input: PathBuf,
        /// Output phase-1 file (send to the coordinator).
        #[arg(long)]
        out: PathBuf,
        /// Your public name (recorded in the transcript).
        #[arg(long)]
        name: String,
        /// Extra entropy text (type random keys); the OS RNG is always used as well.
        #[arg(long, default_value = "")]
        entropy: String,
    },
    /// Phase 1: apply the public random beacon (last step of phase 1).
    Beacon {
        /// Input phase-1 file.
        #[arg(long = "in")]
        input: PathBuf,
        /// Output phase-1 file.
        #[arg(long)]
        out: PathBuf,
        /// Beacon value in hex (e.g. the randomness of a pre-announced drand round).
        #[arg(long)]
        value: String,
        /// The value is hashed 2^iterations_exp times with SHA-256.
        #[arg(long, default_value_t = 16)]
        iterations_exp: u32,
        /// Name recorded in the transcript.
        #[arg(long, default_value = "beacon")]
        name: String,
    },
    /// Phase 1: verify every contribution and the final accumulator.
    Verify {
        /// Phase-1 file.
        #[arg(long = "in")]
        input: PathBuf,
    },
    /// Phase 1: start from a snarkjs .ptau file (e.g. a public perpetual powers-of-tau file), after checking it.
    ImportPtau {
        /// The .ptau file.
        #[arg(long)]
        ptau: PathBuf,
        /// Keep only 2^power powers (default: all in the file).
        #[arg(long)]
        power: Option<u32>,
        /// Output phase-1 file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Phase 2: specialise a verified phase-1 file to the receipt circuit.
    Phase2Init {
        /// Phase-1 file (verified first).
        #[arg(long)]
        phase1: PathBuf,
        /// Output phase-2 file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Phase 2: add your δ contribution.
    Phase2Contribute {
        /// Input phase-2 file.
        #[arg(long = "in")]
        input: PathBuf,
        /// Output phase-2 file.
        #[arg(long)]
        out: PathBuf,
        /// Your public name.
        #[arg(long)]
        name: String,
        /// Extra entropy text.
        #[arg(long, default_value = "")]
        entropy: String,
    },
    /// Phase 2: apply the public random beacon.
    Phase2Beacon {
        /// Input phase-2 file.
        #[arg(long = "in")]
        input: PathBuf,
        /// Output phase-2 file.
        #[arg(long)]
        out: PathBuf,
        /// Beacon value in hex.
        #[arg(long)]
        value: String,
        /// The value is hashed 2^iterations_exp times with SHA-256.
        #[arg(long, default_value_t = 16)]
        iterations_exp: u32,
        /// Name recorded in the transcript.
        #[arg(long, default_value = "beacon")]
        name: String,
    },
    /// Phase 2: verify against the phase-1 file and the receipt circuit.
    Phase2Verify {
        /// Phase-1 file.
        #[arg(long)]
        phase1: PathBuf,
        /// Phase-2 file.
        #[arg(long = "in")]
        input: PathBuf,
    },
    /// Verify both phases, then write the keys (receipt.pk, receipt.vk), verification_key.json (snarkjs) and
    /// solana_vk.bin + solana_vk.sha256 (the bytes the program's `set_verifying_key` takes, and their
    /// SHA-256 = on-chain `Config.vk_hash`), tagged `ceremony:<transcript hash>`.
    Finalize {
        /// Phase-1 file.
        #[arg(long)]
        phase1: PathBuf,
        /// Final phase-2 file.
        #[arg(long = "in")]
        input: PathBuf,
        /// Output key directory.
        #[arg(long)]
        out: PathBuf,
    },
}

fn announce(what: &str, hash: &Digest) {
    println!("{what}");
    println!("transcript hash: {}", hex_digest(hash));
}

fn load1(p: &Path) -> Result<Phase1> {
    Phase1::load(p).with_context(|| format!("reading phase-1 file {}", p.display()))
}

fn load2(p: &Path) -> Result<Phase2> {
    Phase2::load(p).with_context(|| format!("reading phase-2 file {}", p.display()))
}

fn verified1(p: &Path) -> Result<Phase1> {
    let p1 = load1(p)?;
    let report = p1
        .verify()
        .with_context(|| format!("phase-1 file {} does not verify", p.display()))?;
    eprintln!("phase 1 OK ({} contributions)", report.entries.len());
    Ok(p1)
}

/// Runs one ceremony step.
pub fn run(cmd: CeremonyCmd) -> Result<()> {
    match cmd {
        CeremonyCmd::New { power, out } => {
            let p = Phase1::new(power)?;
            p.save(&out)?;
            announce(
                &format!(
                    "new phase-1 accumulator of 2^{power} powers written to {}",
                    out.display()
                ),
                &p.transcript_hash(),
            );
        }
        CeremonyCmd::Contribute {
            input,
            out,
            name,
            entropy,
        } => {
            let mut p = load1(&input)?;
            let h = p.contribute(&name, &mut participant_rng(&entropy));
            p.save(&out)?;
            announce(
                &format!(
                    "contribution #{} by {name:?} written to {}",
                    p.contributions.len(),
                    out.display()
                ),
                &h,
            );
        }
        CeremonyCmd::Beacon {
            input,
            out,
            value,
            iterations_exp,
            name,
        } => {
            let mut p = load1(&input)?;
            let h = p.beacon(&name, &parse_beacon_hex(&value)?, iterations_exp)?;
            p.save(&out)?;
            announce(&format!("beacon applied, written to {}", out.display()), &h);
        }
        CeremonyCmd::Verify { input } => {
            let p = load1(&input)?;
            let report = p.verify().context("phase 1 does NOT verify")?;
            println!(
                "phase 1 OK: 2^{} powers, {} contributions",
                p.acc.power,
                report.entries.len()
            );
            println!("{report}");
        }
        CeremonyCmd::ImportPtau { ptau, power, out } => {
            let data = io::read(&ptau)?;
            let (acc, header, file_hash) = ptau::import(&data, power)?;
            let p = Phase1::from_imported(acc, file_hash, header.power);
            p.save(&out)?;
            println!("ptau file blake2b: {}", hex_digest(&file_hash));
            announce(
                &format!(
                    "imported 2^{} powers (file power {}, ceremony power {}) to {}",
                    p.acc.power,
                    header.power,
                    header.ceremony_power,
                    out.display()
                ),
                &p.transcript_hash(),
            );
        }
        CeremonyCmd::Phase2Init { phase1, out } => {
            let p1 = verified1(&phase1)?;
            let p2 = Phase2::init(&p1, ReceiptCircuit::blank())?;
            p2.save(&out)?;
            announce(
                &format!(
                    "phase 2 initialised for the receipt circuit, written to {}",
                    out.display()
                ),
                &p2.transcript_hash(),
            );
        }
        CeremonyCmd::Phase2Contribute {
            input,
            out,
            name,
            entropy,
        } => {
            let mut p = load2(&input)?;
            let h = p.contribute(&name, &mut participant_rng(&entropy));
            p.save(&out)?;
            announce(
                &format!(
                    "phase-2 contribution #{} by {name:?} written to {}",
                    p.contributions.len(),
                    out.display()
                ),
                &h,
            );
        }
        CeremonyCmd::Phase2Beacon {
            input,
            out,
            value,
            iterations_exp,
            name,
        } => {
            let mut p = load2(&input)?;
            let h = p.beacon(&name, &parse_beacon_hex(&value)?, iterations_exp)?;
            p.save(&out)?;
            announce(
                &format!("phase-2 beacon applied, written to {}", out.display()),
                &h,
            );
        }
        CeremonyCmd::Phase2Verify { phase1, input } => {
            let p1 = verified1(&phase1)?;
            let p2 = load2(&input)?;
            let report = p2
                .verify(&p1, ReceiptCircuit::blank())
                .context("phase 2 does NOT verify")?;
            println!("phase 2 OK: {} contributions", report.entries.len());
            println!("{report}");
        }
        CeremonyCmd::Finalize { phase1, input, out } => {
            let p1 = verified1(&phase1)?;
            let p2 = load2(&input)?;
            p2.verify(&p1, ReceiptCircuit::blank())
                .context("phase 2 does NOT verify")?;
            if p2.contributions.is_empty() {
                anyhow::bail!(
                    "phase 2 has no contribution: δ is still 1, the keys would be forgeable"
                );
            }
            let keys = p2.finalize();
            keys.save(&out)?;
            let vk = &keys.pk.vk;
            let json = serde_json::to_string_pretty(&export::snarkjs::vk_json(vk))?;
            io::write_atomic(&out.join("verification_key.json"), json.as_bytes())?;
            let svk = export::solana::vk(vk);
            io::write_atomic(&out.join(export::solana::SOLANA_VK_FILE), &svk.to_bytes())?;
            io::write_atomic(
                &out.join(export::solana::SOLANA_VK_SHA256_FILE),
                format!("{}\n", svk.sha256_hex()).as_bytes(),
            )?;
            println!(
                "keys written to {} (receipt.pk, receipt.vk, verification_key.json, {}, {})",
                out.display(),
                export::solana::SOLANA_VK_FILE,
                export::solana::SOLANA_VK_SHA256_FILE
            );
            println!(
                "vk hash (Config.vk_hash after set_verifying_key): {}",
                svk.sha256_hex()
            );
            println!("provenance: {}", keys.provenance());
            announce("final", &p2.transcript_hash());
        }
    }
    Ok(())
}
