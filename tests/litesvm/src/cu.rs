//! Compute units measured by the tests, collected in one JSON file from which `scripts/cu-table.sh`
//! renders the CU tables of BENCHMARKS.md and the program's BENCHMARKS-program.md (and `--check`s
//! them in CI).
//!
//! File: `target/litesvm-cu.json`, or `$X402_ZK_CU_JSON`:
//! `{"program": {"bytes": N, "sha256": "…"}, "cu": {"<name>": cu, …}}`.
//! Every test binary and every test thread appends to it under an exclusive lock on a sidecar
//! `.lock` file (test binaries run one after another, tests in one binary in parallel), and the
//! file is written atomically (temp file + rename). Entries measured from another program binary
//! (other `sha256`) are dropped on the first record, so a rebuilt `.so` never mixes with stale
//! figures; `scripts/test.sh` also deletes the file before the LiteSVM step.
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::{program_so, repo_root};

/// Where [`record_cu`] writes: `$X402_ZK_CU_JSON`, else `target/litesvm-cu.json`.
pub fn cu_json_path() -> PathBuf {
    std::env::var_os("X402_ZK_CU_JSON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/litesvm-cu.json"))
}

/// The program binary the figures belong to: its size and SHA-256 (hex).
fn program_identity() -> (u64, String) {
    let so = program_so();
    let bytes = std::fs::read(&so).unwrap_or_else(|e| panic!("read {}: {e}", so.display()));
    let hex: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (bytes.len() as u64, hex)
}

/// Records `name = cu` in the CU file (see the module docs). Panics when the file cannot be
/// written: a figure that silently goes missing would only surface as a stale table.
pub fn record_cu(name: &str, cu: u64) {
    let path = cu_json_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create the CU file's directory");
    }
    let mut lock_path = path.clone().into_os_string();
    lock_path.push(".lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .expect("open the CU lock file");
    lock.lock().expect("lock the CU file");

    let (bytes, sha256) = program_identity();
    let mut doc: Map<String, Value> = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let same_program = doc
        .get("program")
        .and_then(|p| p.get("sha256"))
        .and_then(Value::as_str)
        == Some(sha256.as_str());
    if !same_program {
        doc.clear();
    }
    doc.insert(
        "program".into(),
        json!({ "bytes": bytes, "sha256": sha256 }),
    );
    let entries = doc
        .entry("cu")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("\"cu\" is an object");
    entries.insert(name.to_string(), cu.into());
    // Sorted keys (serde_json's default map) keep the file diffable.
    let text = serde_json::to_vec_pretty(&doc).expect("json");
    let mut tmp = path.clone().into_os_string();
    tmp.push(format!(".{}.tmp", std::process::id()));
    {
        let mut f = File::create(&tmp).expect("create the CU temp file");
        f.write_all(&text).expect("write the CU temp file");
    }
    std::fs::rename(&tmp, &path).expect("replace the CU file");
    drop(lock);
    println!("compute units: {name} = {cu}");
}

/// Holds the compute-unit limit a client requests for a transaction (`x402_zk_encoding::compute`)
/// to what the transaction measurably costs: never below it (the transaction would fail), at most
/// the encoding crate's margin (plus 2 % for its linear model) above it (a larger limit reserves
/// block space and priority fees for nothing).
pub fn assert_limit_fits(what: &str, measured: u64, limit: u32) {
    let margin = u64::from(x402_zk_encoding::compute::MARGIN_PERCENT) + 2;
    assert!(
        u64::from(limit) >= measured,
        "{what}: limit {limit} below the measured {measured} CU (x402_zk_encoding::compute)"
    );
    assert!(
        u64::from(limit) <= measured + measured * margin / 100,
        "{what}: limit {limit} more than {margin} % above the measured {measured} CU (x402_zk_encoding::compute)"
    );
}
