//! The program's committed `vk.rs` equals a fresh export of the dev setup's verifying key.
//! `UPDATE_VK=1` rewrites it (then rebuild the program).
use x402_zk_litesvm_tests::proofs::{dev_keys, vk_rs_source};
use x402_zk_litesvm_tests::repo_root;

#[test]
fn committed_vk_matches_fresh_export() {
    let fresh = vk_rs_source(&dev_keys().1);
    let path = repo_root().join("programs/x402-zk-verifier/src/vk.rs");
    if std::env::var_os("UPDATE_VK").is_some() {
        std::fs::write(&path, &fresh).expect("write vk.rs");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run UPDATE_VK=1 cargo test --test vk, then rebuild",
        path.display()
    );
}
