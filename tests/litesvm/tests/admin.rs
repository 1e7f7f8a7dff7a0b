//! Config and admin instructions in LiteSVM, with compute units per instruction.
use x402_zk_litesvm_tests::{
    program_so, programdata_address, record_cu, Address, Harness, Keypair, Outcome, Signer,
};

const ATTESTER: [u8; 64] = [7u8; 64];

#[test]
fn initialize_config_then_reinitialize_fails() {
    let mut h = Harness::new();
    let out = h.initialize_config(ATTESTER, 60);
    assert!(out.ok, "initialize_config failed: {:#?}", out.logs);
    record_cu("initialize_config", out.cu);
    let acc = h
        .svm
        .get_account(&h.config_pda())
        .expect("config account exists");
    assert_eq!(acc.owner, h.program_id);
    assert_eq!(
        &acc.data[8..40],
        h.payer.pubkey().as_ref(),
        "authority stored"
    );
    assert_eq!(&acc.data[40..104], &ATTESTER[..], "attester stored");

    let again = h.initialize_config([9u8; 64], 5);
    assert!(!again.ok, "second initialize must fail");
    assert!(again.has_log("already in use"), "{:#?}", again.logs);
}

fn expect_err(out: &Outcome, code: &str) {
    assert!(!out.ok, "expected {code}, got success: {:#?}", out.logs);
    assert_eq!(out.error_code().as_deref(), Some(code), "{:#?}", out.logs);
}

/// Issue 14: on a freshly deployed program nobody but its upgrade authority (the deploy wallet,
/// read from the ProgramData account) can create the config, so `initialize_config` sent by a
/// front-runner between deployment and set-up cannot seize the deployment.
#[test]
fn initialize_config_only_by_the_upgrade_authority() {
    let mut h = Harness::new();
    let pid = h.program_id;
    assert_eq!(
        h.upgrade_authority(&pid),
        Some(h.payer.pubkey()),
        "deployed upgradeable, the payer is the upgrade authority"
    );
    let stranger = Keypair::new();
    h.fund(&stranger.pubkey());
    let pd = h.program_data();

    // A stranger, with this program's real ProgramData.
    let out = h.initialize_config_with(Some(&stranger), pd, ATTESTER, 60);
    expect_err(&out, "Unauthorized");
    assert!(
        out.has_log("Error Message: Only the config authority may do this"),
        "{:#?}",
        out.logs
    );
    assert!(h.svm.get_account(&h.config_pda()).is_none(), "no config");

    // A stranger presenting the ProgramData of a program it deployed itself (where it *is* the
    // upgrade authority): not this program's ProgramData.
    let own = Address::new_from_array([0x5a; 32]);
    h.deploy_upgradeable(own, &program_so(), Some(stranger.pubkey()));
    let out = h.initialize_config_with(Some(&stranger), programdata_address(&own), ATTESTER, 60);
    expect_err(&out, "Unauthorized");
    // … or an account that is not a ProgramData at all.
    let out = h.initialize_config_with(Some(&stranger), stranger.pubkey(), ATTESTER, 60);
    assert!(!out.ok, "a non-ProgramData account must be refused");
    assert!(out.error_code().is_some(), "typed error: {:#?}", out.logs);
    assert!(
        h.svm.get_account(&h.config_pda()).is_none(),
        "still no config"
    );

    // An immutable program (no upgrade authority) cannot be initialized by anyone.
    h.set_upgrade_authority(&pid, None);
    expect_err(&h.initialize_config(ATTESTER, 60), "Unauthorized");

    // The upgrade authority can, and becomes the config authority.
    let auth = h.payer.pubkey();
    h.set_upgrade_authority(&pid, Some(auth));
    let out = h.initialize_config(ATTESTER, 60);
    assert!(out.ok, "upgrade authority: {:#?}", out.logs);
    let acc = h.svm.get_account(&h.config_pda()).expect("config");
    assert_eq!(&acc.data[8..40], auth.as_ref(), "config authority");
}

/// After a hand-over of the upgrade authority (e.g. to a multisig) only the new authority may
/// initialize; the former deployer is refused.
#[test]
fn initialize_config_follows_the_current_upgrade_authority() {
    let mut h = Harness::new();
    let new_auth = Keypair::new();
    h.fund(&new_auth.pubkey());
    let pid = h.program_id;
    h.set_upgrade_authority(&pid, Some(new_auth.pubkey()));
    expect_err(&h.initialize_config(ATTESTER, 60), "Unauthorized");
    let pd = h.program_data();
    let out = h.initialize_config_with(Some(&new_auth), pd, ATTESTER, 60);
    assert!(out.ok, "{:#?}", out.logs);
    let acc = h.svm.get_account(&h.config_pda()).expect("config");
    assert_eq!(&acc.data[8..40], new_auth.pubkey().as_ref());
}

#[test]
fn attester_coordinate_at_modulus_is_rejected() {
    let mut h = Harness::new();
    let mut attester = [1u8; 64];
    attester[..32].copy_from_slice(&[
        0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58,
        0x5d, 0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00,
        0x00, 0x01,
    ]);
    let out = h.initialize_config(attester, 60);
    assert!(!out.ok);
    assert_eq!(
        out.error_code().as_deref(),
        Some("AttesterKeyNotCanonical"),
        "{:#?}",
        out.logs
    );
}

#[test]
fn clock_skew_above_limit_is_rejected() {
    let mut h = Harness::new();
    let out = h.initialize_config(ATTESTER, 3_601);
    assert_eq!(
        out.error_code().as_deref(),
        Some("ClockSkewTooLarge"),
        "{:#?}",
        out.logs
    );
}

#[test]
fn set_paused_is_authority_only() {
    let mut h = Harness::new();
    assert!(h.initialize_config(ATTESTER, 60).ok);
    let intruder = Keypair::new();
    h.fund(&intruder.pubkey());
    let out = h.set_paused(Some(&intruder), true);
    assert!(!out.ok);
    assert_eq!(out.error_code().as_deref(), Some("Unauthorized"));
    assert!(
        out.has_log("Error Message: Only the config authority may do this"),
        "{:#?}",
        out.logs
    );

    let out = h.set_paused(None, true);
    assert!(out.ok, "{:#?}", out.logs);
    record_cu("set_paused", out.cu);
    let acc = h.svm.get_account(&h.config_pda()).expect("config");
    assert_eq!(acc.data[8 + 32 + 64 + 4], 1, "paused flag set");
}

#[test]
fn garbage_instruction_data_fails_with_a_typed_error() {
    let mut h = Harness::new();
    for data in [vec![], vec![1, 2, 3], vec![0xff; 8], vec![0u8; 200]] {
        let out = h.send(data.clone(), vec![], &[]);
        assert!(!out.ok, "garbage {data:?} must fail");
        assert!(
            out.logs.iter().all(|l| !l.contains("panicked")),
            "garbage {data:?} panicked: {:#?}",
            out.logs
        );
        assert!(
            out.error_code().is_some(),
            "no typed error for {data:?}: {:#?}",
            out.logs
        );
    }
}
