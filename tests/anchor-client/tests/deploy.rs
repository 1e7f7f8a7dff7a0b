//! `migrations/deploy.ts` as a real process against non-local RPC URLs with the dev keys: it must
//! exit non-zero with `DEV_KEY_REFUSED` before any RPC call. One URL is `0.0.0.0:<port>` (its host
//! is not loopback, yet a connection would reach a listener of this test, which counts them: none
//! may arrive); the other is `127.0.0.1.evil.com` (a host that only starts like loopback).
//!
//! Needs node and the repository's node_modules (scripts/setup.sh); no validator.
use std::io::Read;
use std::net::TcpListener;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use x402_zk_anchor_client_tests::repo_root;

/// What a case sets (environment) and expects (a message on stderr).
type Case = (&'static str, Vec<(&'static str, String)>, &'static str);

/// Runs deploy.ts with `env`; returns (exit code, stderr).
fn deploy(env: &[(&str, String)]) -> (Option<i32>, String) {
    let root = repo_root();
    let mut cmd = Command::new("npx");
    cmd.current_dir(&root)
        .args([
            "ts-node",
            "-P",
            "migrations/tsconfig.json",
            "migrations/deploy.ts",
        ])
        .env_remove("VK_PATH")
        .env_remove("KEYS_DIR")
        .env_remove("SOLANA_RPC_URLS")
        .env("MERCHANT_PUBKEY", "11111111111111111111111111111112")
        .env("MIN_PAYMENT_AMOUNT", "1000")
        .env("ATTESTER_KEY_PATH", root.join("keys/dev/attester.json"))
        .env(
            "AUTHORITY_KEYPAIR",
            root.join("keys/x402_zk_verifier-keypair.json"),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run npx ts-node migrations/deploy.ts");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A listener on 0.0.0.0 that counts the connections it accepts.
fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let l = TcpListener::bind("0.0.0.0:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let n = Arc::new(AtomicUsize::new(0));
    let seen = n.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut s) = s {
                let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
                let _ = s.read(&mut [0u8; 1024]);
            }
        }
    });
    (port, n)
}

#[test]
fn deploy_refuses_the_dev_keys_off_localnet_before_any_rpc_call() {
    let root = repo_root();
    if !root.join("node_modules/.bin/ts-node").exists() {
        panic!("node_modules missing: run scripts/setup.sh (npm ci) first");
    }
    let (port, connections) = counting_listener();
    let dev_vk = root.join("keys/dev/solana_vk.bin").display().to_string();
    // Any other 576-byte key file (deploy.ts checks length and hash; the program checks points).
    let tmp = tempfile::tempdir().expect("tempdir");
    let other_vk = tmp.path().join("solana_vk.bin");
    std::fs::write(&other_vk, [1u8; 576]).expect("write");
    let cases: Vec<Case> = vec![
        (
            "dev verifying key (explicit VK_PATH)",
            vec![
                ("SOLANA_RPC_URL", format!("http://0.0.0.0:{port}")),
                ("VK_PATH", dev_vk),
            ],
            "refusing to deploy the dev verifying key",
        ),
        (
            "no key given off localnet (the dev key is only the localnet default)",
            vec![("SOLANA_RPC_URL", format!("http://0.0.0.0:{port}"))],
            "VK_PATH (or KEYS_DIR) is not set",
        ),
        (
            "a production key but the dev attester",
            vec![
                ("SOLANA_RPC_URL", format!("http://0.0.0.0:{port}")),
                ("VK_PATH", other_vk.display().to_string()),
            ],
            "refusing to deploy with a dev attester key",
        ),
        (
            "a host that only starts like loopback, dev key directory",
            vec![
                (
                    "SOLANA_RPC_URL",
                    format!("http://127.0.0.1.evil.com:{port}"),
                ),
                ("KEYS_DIR", root.join("keys/dev").display().to_string()),
            ],
            "refusing to deploy the dev verifying key",
        ),
    ];
    for (what, env, message) in cases {
        let (code, stderr) = deploy(&env);
        println!("{what}: exit {code:?}\n{stderr}");
        assert!(
            matches!(code, Some(c) if c != 0),
            "{what}: must exit non-zero"
        );
        assert!(stderr.contains(message), "{what}: {stderr}");
        assert!(stderr.contains("[deploy] FAILED"), "{what}: {stderr}");
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "deploy.ts connected to the RPC before refusing"
    );
}
