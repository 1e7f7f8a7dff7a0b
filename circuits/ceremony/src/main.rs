//! `x402-zk`: keys, proofs, exports and attester tools for the x402-zk receipt circuit.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::path::{Path, PathBuf};
use x402_zk_circuits::{
    eddsa::Attester,
    export,
    groth16::{self, ProvingKeys, VerifierKey},
    json::{PointJson, ProofJson, ProofRequestJson, ReceiptJson, SignatureJson},
    ReceiptCircuit,
};

#[derive(Parser)]
#[command(
    name = "x402-zk",
    version,
    about = "x402-zk receipt circuit: keys, proofs, exports, attester tools"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Key management.
    Keys {
        #[command(subcommand)]
        cmd: KeysCmd,
    },
    /// Prove: reads a proof request JSON (file or `-` for stdin), writes proof JSON.
    Prove {
        /// Key directory (receipt.pk, receipt.vk).
        #[arg(long)]
        keys: PathBuf,
        /// Proof request JSON (`-` = stdin).
        #[arg(long, default_value = "-")]
        input: String,
        /// Output file (default stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Verify a proof JSON (as written by `prove`) against its public parameters.
    Verify {
        /// Verifying key file (receipt.vk) or key directory.
        #[arg(long)]
        vk: PathBuf,
        /// Proof JSON (`-` = stdin).
        #[arg(long, default_value = "-")]
        proof: String,
    },
    /// Export the verifying key.
    ExportVk {
        /// Verifying key file (receipt.vk) or key directory.
        #[arg(long)]
        vk: PathBuf,
        /// Output format.
        #[arg(long, value_enum)]
        format: Format,
        /// Output path: a directory for `solana` (writes `solana_vk.bin` and `solana_vk.sha256`), a JSON
        /// file for `snarkjs`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write snarkjs proof.json and public.json from a proof JSON.
    ExportProof {
        /// Proof JSON (`-` = stdin).
        #[arg(long, default_value = "-")]
        proof: String,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the receipt circuit as an iden3 `receipt.r1cs` and, with `--input`, that request's full
    /// assignment as `receipt.wtns`: snarkjs can then set up, check (`snarkjs wtns check`) and prove the
    /// same circuit (the proving-time comparison in `scripts/bench-prove.sh`). The `.wtns` holds the
    /// request's private inputs: benchmark requests only.
    ExportIden3 {
        /// Proof request JSON (`-` = stdin) whose witness to write.
        #[arg(long)]
        input: Option<String>,
        /// Instead of `--input`: the library's example witness for this seed (the criterion bench
        /// proves seed 1), so snarkjs and criterion prove the same witness.
        #[arg(long, conflicts_with = "input")]
        example_seed: Option<u64>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Attester tools.
    Attester {
        #[command(subcommand)]
        cmd: AttesterCmd,
    },
    /// Print the circuit's constraint count.
    Info,
    /// Payer helper: commitment C = Poseidon(secret, 0) for the memo, and the nullifier for a program id.
    Commitment {
        /// Secret (decimal or 0x-hex field element).
        #[arg(long)]
        secret: String,
        /// Verifier program id (base58 or 0x-hex), to print the nullifier too.
        #[arg(long)]
        program_id: Option<String>,
    },
    /// Multi-party trusted setup (powers of tau + Groth16 phase 2); see CEREMONY.md.
    Ceremony {
        #[command(subcommand)]
        cmd: x402_zk_ceremony::cli::CeremonyCmd,
    },
}

#[derive(Subcommand)]
enum KeysCmd {
    /// UNSAFE FOR PRODUCTION: generate dev Groth16 keys (provenance "dev") from OS randomness.
    DevSetup {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Use the fixed public seed behind the committed `keys/dev/solana_vk.bin` (local networks only).
        #[arg(long)]
        deterministic: bool,
    },
}

#[derive(Subcommand)]
enum AttesterCmd {
    /// Generate an attester key (JSON with secretKey hex and publicKey).
    Keygen {
        /// Output file (default stdout). Keep it secret.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Sign a receipt JSON ({payTo, asset, amount, paidAt, commitment}); prints the signature JSON.
    Sign {
        /// Attester key file from `keygen`.
        #[arg(long)]
        key: PathBuf,
        /// Receipt JSON (`-` = stdin).
        #[arg(long, default_value = "-")]
        receipt: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// The key bytes the program's `initialize_config` / `set_verifying_key` take, and their SHA-256.
    Solana,
    /// snarkjs verification_key.json.
    Snarkjs,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttesterKeyJson {
    secret_key: String,
    public_key: PointJson,
}

fn read_input(src: &str) -> Result<String> {
    if src == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading stdin")?;
        Ok(s)
    } else {
        std::fs::read_to_string(src).with_context(|| format!("reading {src}"))
    }
}

fn write_output(out: Option<&Path>, s: &str) -> Result<()> {
    match out {
        Some(p) => std::fs::write(p, s).with_context(|| format!("writing {}", p.display())),
        None => {
            println!("{s}");
            Ok(())
        }
    }
}

fn load_vk(p: &Path) -> Result<VerifierKey> {
    let path = if p.is_dir() {
        p.join(groth16::VK_FILE)
    } else {
        p.to_path_buf()
    };
    Ok(VerifierKey::load(&path)?)
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T> {
    serde_json::from_str(s).with_context(|| format!("malformed {what} JSON"))
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let mut rng = rand::rngs::OsRng;
    match cli.cmd {
        Cmd::Keys {
            cmd: KeysCmd::DevSetup { out, deterministic },
        } => {
            eprintln!(
                "WARNING: dev setup is UNSAFE for production (toxic waste is not destroyed)."
            );
            let keys = if deterministic {
                ProvingKeys::dev_setup_deterministic()?
            } else {
                ProvingKeys::dev_setup(&mut rng)?
            };
            keys.save(&out)?;
            let svk = export::solana::vk(&keys.verifier.vk);
            svk.write_files(&out)
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "wrote {}, {} and {} (provenance \"dev\", vk hash {})",
                out.join(groth16::PK_FILE).display(),
                out.join(groth16::VK_FILE).display(),
                out.join(export::solana::SOLANA_VK_FILE).display(),
                svk.sha256_hex()
            );
        }
        Cmd::Prove { keys, input, out } => {
            let req: ProofRequestJson = parse_json(&read_input(&input)?, "proof request")?;
            let w = req.parse()?;
            let keys = ProvingKeys::load(&keys)?;
            let bundle = groth16::prove(&keys, &w, &mut rng)?;
            let doc = ProofJson::new(&bundle, &w.public, keys.provenance());
            write_output(out.as_deref(), &serde_json::to_string_pretty(&doc)?)?;
        }
        Cmd::Verify { vk, proof } => {
            let vk = load_vk(&vk)?;
            let doc: ProofJson = parse_json(&read_input(&proof)?, "proof")?;
            let (public, nullifier, claimed, bytes) = doc.parse()?;
            if public.pub_hash(&nullifier) != claimed {
                bail!("publicInput does not match the public parameters and nullifier");
            }
            let p = export::solana::proof_from_bytes(&bytes)?;
            groth16::verify(&vk, &public, &nullifier, &p)?;
            println!("OK (key provenance {:?})", vk.provenance);
        }
        Cmd::ExportVk { vk, format, out } => {
            let vk = load_vk(&vk)?;
            match format {
                Format::Solana => {
                    let svk = export::solana::vk(&vk.vk);
                    svk.write_files(&out)
                        .with_context(|| format!("writing {}", out.display()))?;
                    eprintln!(
                        "wrote {} and {} (vk hash {})",
                        out.join(export::solana::SOLANA_VK_FILE).display(),
                        out.join(export::solana::SOLANA_VK_SHA256_FILE).display(),
                        svk.sha256_hex()
                    );
                }
                Format::Snarkjs => {
                    let text = serde_json::to_string_pretty(&export::snarkjs::vk_json(&vk.vk))?;
                    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                        std::fs::create_dir_all(parent)?;
                    }
                    std::fs::write(&out, text)
                        .with_context(|| format!("writing {}", out.display()))?;
                    eprintln!("wrote {}", out.display());
                }
            }
        }
        Cmd::ExportIden3 {
            input,
            example_seed,
            out,
        } => {
            use x402_zk_ceremony::phase2::R1cs;
            // The request is read and checked before anything is written: a bad one leaves no files.
            let witness = match (input, example_seed) {
                (Some(input), _) => {
                    let req: ProofRequestJson = parse_json(&read_input(&input)?, "proof request")?;
                    Some(req.parse()?)
                }
                (None, Some(seed)) => Some(x402_zk_circuits::receipt::example_witness(seed).1),
                (None, None) => None,
            };
            if let Some(w) = &witness {
                w.check()?;
            }
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let r1cs = R1cs::synthesize(ReceiptCircuit::blank())?;
            let path = out.join("receipt.r1cs");
            let bytes =
                export::iden3::r1cs_file(r1cs.num_instance, r1cs.num_witness, &r1cs.matrices);
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "wrote {} ({} constraints, {} wires)",
                path.display(),
                r1cs.num_constraints,
                r1cs.num_instance + r1cs.num_witness
            );
            if let Some(w) = witness {
                let (_, full) =
                    x402_zk_circuits::msm::prover::full_assignment(ReceiptCircuit::new(&w))
                        .map_err(x402_zk_circuits::Error::from)?;
                let path = out.join("receipt.wtns");
                std::fs::write(&path, export::iden3::wtns_file(&full))
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {} ({} values)", path.display(), full.len());
            }
        }
        Cmd::ExportProof { proof, out } => {
            let doc: ProofJson = parse_json(&read_input(&proof)?, "proof")?;
            std::fs::create_dir_all(&out)?;
            std::fs::write(
                out.join("proof.json"),
                serde_json::to_string_pretty(&doc.snarkjs_proof)?,
            )?;
            std::fs::write(
                out.join("public.json"),
                serde_json::to_string_pretty(&doc.snarkjs_public)?,
            )?;
        }
        Cmd::Attester {
            cmd: AttesterCmd::Keygen { out },
        } => {
            let a = Attester::generate(&mut rng);
            let doc = AttesterKeyJson {
                secret_key: hex::encode(a.secret()),
                public_key: (&a.public()).into(),
            };
            write_output(out.as_deref(), &serde_json::to_string_pretty(&doc)?)?;
        }
        Cmd::Attester {
            cmd: AttesterCmd::Sign { key, receipt },
        } => {
            let k: AttesterKeyJson = parse_json(
                &std::fs::read_to_string(&key)
                    .with_context(|| format!("reading {}", key.display()))?,
                "attester key",
            )?;
            let secret = x402_zk_circuits::json::parse_key(
                &format!("0x{}", k.secret_key.trim_start_matches("0x")),
                "secretKey",
            )?;
            let a = Attester::from_secret(secret);
            let r: ReceiptJson = parse_json(&read_input(&receipt)?, "receipt")?;
            let sig = r.parse()?.sign(&a);
            println!(
                "{}",
                serde_json::to_string_pretty(&SignatureJson::from(&sig))?
            );
        }
        Cmd::Ceremony { cmd } => x402_zk_ceremony::cli::run(cmd)?,
        Cmd::Commitment { secret, program_id } => {
            let secret = x402_zk_circuits::fr_from_str_checked(&secret, "secret")?;
            let mut doc = serde_json::json!({
                "commitment": x402_zk_circuits::field::fr_to_hex(&x402_zk_circuits::receipt::commitment(&secret)),
            });
            if let Some(p) = program_id {
                let d = x402_zk_circuits::receipt::domain(&x402_zk_circuits::json::parse_key(
                    &p,
                    "programId",
                )?);
                doc["domain"] = x402_zk_circuits::field::fr_to_hex(&d).into();
                doc["nullifier"] = x402_zk_circuits::field::fr_to_hex(
                    &x402_zk_circuits::receipt::nullifier(&secret, &d),
                )
                .into();
            }
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Cmd::Info => {
            println!(
                "constraints: {}",
                x402_zk_circuits::circuit::constraint_count()
            );
        }
    }
    Ok(())
}
