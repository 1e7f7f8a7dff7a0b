//! Merchant policies: `register_policy` computes `policyHash` itself (it equals the circuit's),
//! is permissionless and idempotent, refuses a `maxAge` above the cap; verification refuses a
//! policy made under another attester (`PolicyStale`) or one whose `maxAge` is above the current
//! cap; `close_policy` returns the rent to the recorded payer only.
use x402_zk_encoding::layout::policy_account as l;
use x402_zk_litesvm_tests::proofs::{attester_bytes, dev_attester};
use x402_zk_litesvm_tests::{
    assert_limit_fits, fixture, merchant, record_cu, AccountMeta, Harness, Instruction, Outcome,
    Signer,
};

const SKEW: u32 = 60;

fn expect_err(out: &Outcome, code: &str) {
    assert!(
        out.logs.iter().all(|l| !l.contains("panicked")),
        "panic: {:#?}",
        out.logs
    );
    assert!(!out.ok, "expected {code}, got success: {:#?}", out.logs);
    assert_eq!(out.error_code().as_deref(), Some(code), "{:#?}", out.logs);
}

#[test]
fn register_computes_the_circuits_policy_hash_and_is_idempotent() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(60);
    // The hash the circuit computed for this proof (its witness's PublicParams::policy_hash) is
    // the one the harness computes from the config, and the program stores.
    let w = x402_zk_litesvm_tests::proofs::witness(
        60,
        h.program_id_bytes(),
        merchant().to_bytes(),
        x402_zk_litesvm_tests::TEST_NOW as u64,
        b"GET https://example.com/weather",
    );
    let circuit_hash = x402_zk_litesvm_tests::proofs::fr_be(&w.public.policy_hash());
    assert_eq!(h.policy_hash(&merchant(), &f), circuit_hash);

    let out = h.register_policy(&merchant(), &f);
    assert!(out.ok, "register_policy: {:#?}", out.logs);
    assert!(out.has_log("Program data: "), "PolicyRegistered emitted");
    record_cu("register_policy", out.cu);
    let pda = h.policy_pda(&merchant(), &f);
    let acc = h.svm.get_account(&pda).expect("policy account");
    assert_eq!(acc.owner, h.program_id);
    assert_eq!(acc.data.len(), l::SPACE);
    let d = &acc.data;
    assert_eq!(&d[..8], h.account_discriminator("Policy").as_slice());
    assert_eq!(
        d[l::POLICY_HASH_OFFSET..l::POLICY_HASH_OFFSET + 32],
        circuit_hash
    );
    assert_eq!(
        &d[l::PAY_TO_OFFSET..l::PAY_TO_OFFSET + 32],
        merchant().as_ref()
    );
    assert_eq!(d[l::ASSET_OFFSET..l::ASSET_OFFSET + 32], f.asset);
    assert_eq!(
        d[l::MIN_AMOUNT_OFFSET..l::MIN_AMOUNT_OFFSET + 8],
        f.min_amount.to_le_bytes()
    );
    assert_eq!(
        d[l::MAX_AGE_OFFSET..l::MAX_AGE_OFFSET + 8],
        f.max_age.to_le_bytes()
    );
    assert_eq!(
        d[l::ATTESTER_OFFSET..l::ATTESTER_OFFSET + 64],
        attester_bytes(&dev_attester())
    );
    assert_eq!(
        &d[l::RENT_PAYER_OFFSET..l::RENT_PAYER_OFFSET + 32],
        h.payer.pubkey().as_ref()
    );
    let lamports = acc.lamports;

    // Again: nothing changes, no error (a facilitator may always prepend it).
    let again = h.register_policy(&merchant(), &f);
    assert!(again.ok, "second register_policy: {:#?}", again.logs);
    record_cu("register_policy (already registered)", again.cu);
    let acc2 = h.svm.get_account(&pda).expect("policy account");
    assert_eq!((acc2.lamports, &acc2.data), (lamports, &acc.data));

    // In the same transaction as the first verification.
    let g = fixture(61);
    let mut h2 = Harness::with_config(SKEW);
    let reg = h2.register_policy_ix(&merchant(), &g);
    let policy = h2.policy_pda(&merchant(), &g);
    let nullifier = h2.nullifier_pda(&g.nullifier);
    let verify = h2.verify_payment_ix_with_policy(&g, policy, nullifier);
    let out = h2.send_ixs(vec![reg, verify], &[]);
    assert!(out.ok, "register + verify: {:#?}", out.logs);
    record_cu("register_policy + verify_payment (one transaction)", out.cu);
    let bump = h2.nullifier_bump(&g.nullifier);
    assert_limit_fits(
        "register_policy + verify_payment",
        out.cu,
        x402_zk_encoding::compute::verify_payment(bump, true),
    );
}

#[test]
fn register_refuses_a_max_age_above_the_cap_and_a_wrong_address() {
    let mut h = Harness::with_config_aged(SKEW, 600);
    let f = fixture(62); // maxAge 3600
    expect_err(&h.register_policy(&merchant(), &f), "ReceiptAgeTooLarge");

    let mut h = Harness::with_config(SKEW);
    let mut ix = h.register_policy_ix(&merchant(), &f);
    let other = h.nullifier_pda(&f.nullifier);
    ix.accounts[2] = AccountMeta::new(other, false);
    expect_err(&h.send_ixs(vec![ix], &[]), "PolicyAccountMismatch");
}

#[test]
fn a_policy_of_a_previous_attester_is_stale() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(63);
    let policy = h.ensure_policy(&merchant(), &f);
    // The authority rotates the attester: the old policy (hashing the old key) is refused.
    let mut other = [0u8; 64];
    other[31] = 1;
    other[63] = 2;
    let out = h.admin("set_attester", &other, None);
    assert!(out.ok, "set_attester: {:#?}", out.logs);
    let nullifier = h.nullifier_pda(&f.nullifier);
    let ix = h.verify_payment_ix_with_policy(&f, policy, nullifier);
    expect_err(&h.send_ixs(vec![ix], &[]), "PolicyStale");
    expect_err(
        &h.check_batch_with_policy(std::slice::from_ref(&f), policy),
        "PolicyStale",
    );
    // Back to the dev attester: the same policy account is current again.
    let out = h.admin("set_attester", &attester_bytes(&dev_attester()), None);
    assert!(out.ok, "{:#?}", out.logs);
    let ix = h.verify_payment_ix_with_policy(&f, policy, nullifier);
    let out = h.send_ixs(vec![ix], &[]);
    assert!(out.ok, "{:#?}", out.logs);
}

#[test]
fn a_policy_above_a_lowered_cap_is_refused_at_verification() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(64);
    let policy = h.ensure_policy(&merchant(), &f);
    let out = h.admin("set_max_receipt_age", &600u32.to_le_bytes(), None);
    assert!(out.ok, "{:#?}", out.logs);
    let nullifier = h.nullifier_pda(&f.nullifier);
    let ix = h.verify_payment_ix_with_policy(&f, policy, nullifier);
    expect_err(&h.send_ixs(vec![ix], &[]), "ReceiptAgeTooLarge");
    assert!(h.nullifier_record(&nullifier).is_none());
}

#[test]
fn close_policy_returns_the_rent_to_its_payer_only() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(65);
    let policy = h.ensure_policy(&merchant(), &f);
    let close = |h: &Harness, who: &x402_zk_litesvm_tests::Address| {
        Instruction::new_with_bytes(
            h.program_id,
            &h.discriminator("close_policy"),
            vec![
                AccountMeta::new(*who, true),
                AccountMeta::new(policy, false),
            ],
        )
    };
    let stranger = h.keypair();
    h.fund(&stranger.pubkey());
    let ix = close(&h, &stranger.pubkey());
    expect_err(&h.send_ixs(vec![ix], &[&stranger]), "RentPayerMismatch");

    let rent = h.balance(&policy);
    let before = h.balance(&h.payer_address());
    let ix = close(&h, &h.payer_address());
    let out = h.send_ixs(vec![ix], &[]);
    assert!(out.ok, "close_policy: {:#?}", out.logs);
    assert!(h.balance(&policy) == 0);
    // The payer paid the fee (5,000 lamports) and got the rent back.
    assert_eq!(h.balance(&h.payer_address()), before + rent - 5_000);
    // A verification under the closed policy is refused (no account).
    let nullifier = h.nullifier_pda(&f.nullifier);
    let ix = h.verify_payment_ix_with_policy(&f, policy, nullifier);
    expect_err(&h.send_ixs(vec![ix], &[]), "AccountNotInitialized");
}
