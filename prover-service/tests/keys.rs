//! Key handling: dev keys are refused unless explicitly allowed.

mod common;

use common::fixtures;
use x402_zk_prover_service::backend::ProverBackend;
use x402_zk_prover_service::circuits_backend::{self, CircuitsBackend};

#[test]
fn dev_keys_need_the_flag() {
    let mut cfg = common::config();
    cfg.allow_dev_keys = false;
    cfg.keys_dir = None;
    let err = circuits_backend::from_config(&cfg).err().expect("refused");
    assert!(err.to_string().contains("--allow-dev-keys"), "{err}");

    let dir = std::env::temp_dir().join(format!("x402-zk-prover-keys-{}", std::process::id()));
    fixtures::real().keys().save(&dir).unwrap();
    let err = CircuitsBackend::load(&dir, false)
        .err()
        .expect("dev key file refused");
    assert!(err.to_string().contains("dev"), "{err}");
    let b = CircuitsBackend::load(&dir, true).unwrap();
    assert!(b.info().dev_keys);
    // The hash reported is `SolanaVk::sha256` (what the program puts in `Config.vk_hash`).
    assert_eq!(b.info().vk_hash, fixtures::real().info().vk_hash);
    assert_eq!(
        b.info().vk_hash.as_deref(),
        Some(
            x402_zk_circuits::export::solana::vk(&fixtures::real().keys().verifier.vk)
                .sha256_hex()
                .as_str()
        )
    );
    cfg.keys_dir = Some(dir.clone());
    assert!(circuits_backend::from_config(&cfg).is_err());
    cfg.allow_dev_keys = true;
    assert!(circuits_backend::from_config(&cfg).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}
