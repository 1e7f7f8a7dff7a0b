//! A small ceremony run for tests of the exported keys (the program's LiteSVM and validator tests):
//! the real `x402-zk ceremony` steps through their CLI code ([`super::cli::run`]) with the smallest
//! parameters they allow — phase 1 at the receipt circuit's domain power with one beacon, phase 2 with
//! one beacon, `finalize` (which verifies both phases and writes `receipt.pk`, `receipt.vk`,
//! `solana_vk.bin`, `solana_vk.sha256`). Beacons, not participants' contributions: the keys are a
//! function of the circuit alone, so figures measured with them (the ceremony-key CU row that
//! `scripts/cu-table.sh --check` compares exactly) do not move with each new build cache. The beacon
//! values are public, so anyone can forge proofs for these keys, like the dev keys: tests only.
//!
//! The run costs a minute or two on two cores, so its output is cached by circuit: a directory
//! `<cache>/<first 16 hex digits of the circuit's R1CS hash>-beacon/`, written under a temporary name
//! and renamed, so concurrent test processes never read a half-written key directory.
use std::path::{Path, PathBuf};

use super::cli::{run, CeremonyCmd};
use super::phase2::R1cs;
use x402_zk_circuits::circuit::ReceiptCircuit;
use x402_zk_circuits::export::solana::SOLANA_VK_FILE;

/// The public beacon values of the test run (hex), one per phase.
const TEST_BEACON_PHASE1: &str = "7465737420626561636f6e2070686173652031";
const TEST_BEACON_PHASE2: &str = "7465737420626561636f6e2070686173652032";
/// The beacon is hashed 2^this times: the smallest the CLI takes is enough for a test.
const TEST_BEACON_ITERATIONS_EXP: u32 = 0;

/// The finalized key directory for the current receipt circuit under `cache`, running the ceremony
/// first when it is not there yet.
pub fn cached_ceremony_dir(cache: &Path) -> anyhow::Result<PathBuf> {
    let r1cs = R1cs::synthesize(ReceiptCircuit::blank())?;
    let dir = cache.join(format!("{}-beacon", hex::encode(&r1cs.hash()[..8])));
    if dir.join(SOLANA_VK_FILE).is_file() {
        return Ok(dir);
    }
    std::fs::create_dir_all(cache)?;
    let work = cache.join(format!("tmp-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&work)?;
    let (p1_0, p1_1) = (work.join("p1_0.bin"), work.join("p1_1.bin"));
    let (p2_0, p2_1) = (work.join("p2_0.bin"), work.join("p2_1.bin"));
    let keys = work.join("keys");
    run(CeremonyCmd::New {
        power: r1cs.domain_power(),
        out: p1_0.clone(),
    })?;
    run(CeremonyCmd::Beacon {
        input: p1_0,
        out: p1_1.clone(),
        value: TEST_BEACON_PHASE1.into(),
        iterations_exp: TEST_BEACON_ITERATIONS_EXP,
        name: "test beacon (public: tests only)".into(),
    })?;
    run(CeremonyCmd::Phase2Init {
        phase1: p1_1.clone(),
        out: p2_0.clone(),
    })?;
    run(CeremonyCmd::Phase2Beacon {
        input: p2_0,
        out: p2_1.clone(),
        value: TEST_BEACON_PHASE2.into(),
        iterations_exp: TEST_BEACON_ITERATIONS_EXP,
        name: "test beacon (public: tests only)".into(),
    })?;
    run(CeremonyCmd::Finalize {
        phase1: p1_1,
        input: p2_1,
        out: keys.clone(),
    })?;
    // Another process may have finished first: keep whichever directory landed.
    if std::fs::rename(&keys, &dir).is_err() && !dir.join(SOLANA_VK_FILE).is_file() {
        anyhow::bail!("could not move the ceremony keys to {}", dir.display());
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(dir)
}

fn rand_suffix() -> u64 {
    use rand_core::RngCore;
    rand_core::OsRng.next_u64()
}
