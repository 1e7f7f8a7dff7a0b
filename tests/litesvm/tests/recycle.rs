//! Issue 15 (3): recyclable nullifiers. A receipt pays only within `Config.max_receipt_age_seconds`
//! (+ the clock skew), so a nullifier account stops mattering at its `expires_at` and anyone may
//! close it (`close_expired_nullifiers`), returning the rent to whoever paid it. The age cap and
//! the skew may only shrink, so a closed nullifier can never be spent again.
use x402_zk_circuits::circuit::{is_satisfied, Assignment};
use x402_zk_litesvm_tests::proofs::{self, PaymentFixture};
use x402_zk_litesvm_tests::{
    fixture, legacy_tx_size, merchant, record_cu, AccountMeta, Address, Harness, Instruction,
    Keypair, Outcome, Signer, DEFAULT_MAX_RECEIPT_AGE, NULLIFIER_SPACE, PACKET_DATA_SIZE, TEST_NOW,
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

/// Pays `f` and returns its nullifier account and `expires_at`.
fn pay(h: &mut Harness, f: &PaymentFixture) -> (Address, i64) {
    let out = h.verify_payment(f);
    assert!(out.ok, "verify_payment: {:#?}", out.logs);
    let pda = h.nullifier_pda(&f.nullifier);
    let (expires_at, rent_payer) = h.nullifier_record(&pda).expect("nullifier record");
    assert_eq!(rent_payer, h.payer.pubkey());
    (pda, expires_at)
}

fn close(h: &mut Harness, closer: &Keypair, pairs: &[(Address, Address)]) -> Outcome {
    let ix = h.close_expired_nullifiers_ix(pairs);
    h.send_ixs_from(closer, vec![ix], &[])
}

fn stranger(h: &mut Harness) -> Keypair {
    let k = h.keypair(); // fixed keys: the recorded CU must not depend on a key's base58 length
    h.fund(&k.pubkey());
    k
}

/// The edge of the soundness argument: refused one second early, closed at the first second
/// allowed (rent back to the payer, exactly), and then the receipt cannot pay again — neither the
/// old proof (its `now` is outside the skew) nor a fresh proof of the same receipt for the current
/// clock (the statement needs `now − paidAt ≤ maxAge`, so it needs a `maxAge` above the cap).
#[test]
fn close_at_the_first_allowed_second_then_replay_is_refused() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(31);
    let (pda, expires_at) = pay(&mut h, &f);
    assert_eq!(
        expires_at,
        TEST_NOW + i64::from(DEFAULT_MAX_RECEIPT_AGE) + i64::from(SKEW)
    );
    let payer = h.payer.pubkey();
    let closer = stranger(&mut h);
    let rent = h.balance(&pda);
    assert_eq!(
        rent,
        h.svm.minimum_balance_for_rent_exemption(NULLIFIER_SPACE)
    );
    println!("nullifier account: {NULLIFIER_SPACE} bytes, rent {rent} lamports");

    // Too early: right after paying, and at `expires_at` itself (a proof may still pass then).
    expect_err(
        &close(&mut h, &closer, &[(pda, payer)]),
        "NullifierNotExpired",
    );
    h.set_unix_time(expires_at);
    expect_err(
        &close(&mut h, &closer, &[(pda, payer)]),
        "NullifierNotExpired",
    );
    assert!(h.nullifier_record(&pda).is_some(), "still open");

    // The first second allowed; a wrong rent payer is refused, then a stranger closes it.
    h.set_unix_time(expires_at + 1);
    let out = close(&mut h, &closer, &[(pda, closer.pubkey())]);
    expect_err(&out, "RentPayerMismatch");
    let before = h.balance(&payer);
    let out = close(&mut h, &closer, &[(pda, payer)]);
    assert!(out.ok, "close: {:#?}", out.logs);
    assert!(out.has_log("Program data: "), "NullifiersClosed emitted");
    record_cu("close_expired_nullifiers (1 pair)", out.cu);
    assert_eq!(
        h.balance(&payer) - before,
        rent,
        "the whole rent went back to the recorded payer"
    );
    match h.svm.get_account(&pda) {
        None => {}
        Some(a) => assert!(
            a.lamports == 0 && a.data.is_empty(),
            "closed account is empty: {a:?}"
        ),
    }

    // Replay of the same proof after the close: its `now` is far outside the skew.
    expect_err(&h.verify_payment(&f), "TimestampOutOfRange");

    // A fresh proof of the same receipt for the clock now: the receipt was paid 60 s before
    // TEST_NOW, so with maxAge ≤ the cap the statement has no witness …
    let clock_now = (expires_at + 1) as u64;
    let mut w = proofs::witness(
        31,
        h.program_id_bytes(),
        merchant().to_bytes(),
        TEST_NOW as u64,
        b"GET https://example.com/weather",
    );
    w.public.now = clock_now;
    assert!(
        !is_satisfied(&Assignment::from(&w)).expect("synthesis"),
        "now − paidAt > maxAge: the circuit refuses"
    );
    // … and a maxAge large enough to cover it makes a valid proof the program refuses.
    w.public.max_age = clock_now - w.paid_at;
    assert!(is_satisfied(&Assignment::from(&w)).expect("synthesis"));
    let g = proofs::prove(&w, 31);
    assert_eq!(g.nullifier, f.nullifier, "the same nullifier");
    expect_err(&h.verify_payment(&g), "ReceiptAgeTooLarge");
    assert!(
        h.nullifier_record(&pda).is_none(),
        "nothing was burnt again"
    );
}

#[test]
fn close_refuses_malformed_pairs_and_foreign_accounts() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(32);
    let (pda, expires_at) = pay(&mut h, &f);
    h.set_unix_time(expires_at + 1);
    let payer = h.payer.pubkey();
    let closer = stranger(&mut h);

    // No pairs, or half a pair.
    let mut ix = h.close_expired_nullifiers_ix(&[]);
    expect_err(
        &h.send_ixs_from(&closer, vec![ix.clone()], &[]),
        "NullifierPairsMalformed",
    );
    ix = h.close_expired_nullifiers_ix(&[(pda, payer)]);
    ix.accounts.pop();
    expect_err(
        &h.send_ixs_from(&closer, vec![ix], &[]),
        "NullifierPairsMalformed",
    );
    // Not a nullifier: the config (program-owned, another discriminator), a wallet.
    let config = h.config_pda();
    expect_err(
        &close(&mut h, &closer, &[(config, payer)]),
        "NullifierAccountMismatch",
    );
    expect_err(
        &close(&mut h, &closer, &[(closer.pubkey(), payer)]),
        "NullifierAccountMismatch",
    );
    // The rent payer passed read-only.
    let mut ix = h.close_expired_nullifiers_ix(&[(pda, payer)]);
    ix.accounts[1].is_writable = false;
    expect_err(
        &h.send_ixs_from(&closer, vec![ix], &[]),
        "RentPayerMismatch",
    );
    // One bad pair spoils the whole instruction (all or nothing).
    expect_err(
        &close(&mut h, &closer, &[(pda, payer), (config, payer)]),
        "NullifierAccountMismatch",
    );
    assert!(h.nullifier_record(&pda).is_some(), "still open");
    // The same nullifier twice: the second is no longer a nullifier account.
    expect_err(
        &close(&mut h, &closer, &[(pda, payer), (pda, payer)]),
        "NullifierAccountMismatch",
    );
    let out = close(&mut h, &closer, &[(pda, payer)]);
    assert!(out.ok, "{:#?}", out.logs);
    // Closing again: it is gone.
    expect_err(
        &close(&mut h, &closer, &[(pda, payer)]),
        "NullifierAccountMismatch",
    );
}

/// Nullifiers burnt by a batch close like any other (each with its own proof's `now`).
#[test]
fn batch_nullifiers_close_and_return_their_rent() {
    let mut h = Harness::with_config(SKEW);
    let fs = [fixture(33), fixture(34)];
    let out = h.verify_batch(&fs);
    assert!(out.ok, "{:#?}", out.logs);
    let payer = h.payer.pubkey();
    let pairs: Vec<(Address, Address)> = fs
        .iter()
        .map(|f| (h.nullifier_pda(&f.nullifier), payer))
        .collect();
    let mut rent = 0;
    for (pda, _) in &pairs {
        let (expires_at, rent_payer) = h.nullifier_record(pda).expect("record");
        assert_eq!(
            expires_at,
            TEST_NOW + i64::from(DEFAULT_MAX_RECEIPT_AGE) + i64::from(SKEW)
        );
        assert_eq!(rent_payer, payer);
        rent += h.balance(pda);
    }
    let closer = stranger(&mut h);
    h.set_unix_time(TEST_NOW + i64::from(DEFAULT_MAX_RECEIPT_AGE) + i64::from(SKEW) + 1);
    let before = h.balance(&payer);
    let out = close(&mut h, &closer, &pairs);
    assert!(out.ok, "{:#?}", out.logs);
    record_cu("close_expired_nullifiers (2 pairs)", out.cu);
    assert_eq!(h.balance(&payer) - before, rent);
    for (pda, _) in &pairs {
        assert!(h.nullifier_record(pda).is_none());
    }
}

/// How many pairs fit one transaction (all rent paid by the fee payer, as a facilitator's sweep
/// sends them), and what closing that many costs.
#[test]
fn close_as_many_as_fit_one_transaction() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(35);
    let (pda, expires_at) = pay(&mut h, &f);
    let template = h.svm.get_account(&pda).expect("nullifier account");
    let payer = h.payer.pubkey();
    // Copies of a real nullifier account at other addresses (same owner, data and rent): the
    // instruction checks owner, discriminator, expiry and rent payer, not the address.
    let mut pairs = vec![(pda, payer)];
    loop {
        let next = Address::new_unique();
        let mut candidate = pairs.clone();
        candidate.push((next, payer));
        let msg = Harness::message(&payer, vec![h.close_expired_nullifiers_ix(&candidate)]);
        if legacy_tx_size(&msg, 1) > PACKET_DATA_SIZE {
            break;
        }
        h.svm
            .set_account(next, template.clone())
            .expect("set account");
        pairs = candidate;
    }
    let n = pairs.len();
    let msg = Harness::message(&payer, vec![h.close_expired_nullifiers_ix(&pairs)]);
    println!(
        "max pairs per transaction (rent payer = fee payer, with a compute-budget ix): {n} ({} bytes)",
        legacy_tx_size(&msg, 1)
    );
    assert!(
        n >= 20,
        "a sweep closes a useful number per transaction: {n}"
    );
    h.set_unix_time(expires_at + 1);
    let before = h.balance(&payer);
    let payer_kp = h.payer.insecure_clone();
    let out = close(&mut h, &payer_kp, &pairs);
    assert!(out.ok, "{:#?}", out.logs);
    record_cu(
        &format!("close_expired_nullifiers ({n} pairs, max per tx)"),
        out.cu,
    );
    let rent = template.lamports * n as u64;
    let fee = rent + before - h.balance(&payer);
    println!(
        "closed {n}: {rent} lamports of rent back, fee {fee} lamports ({} CU, {} CU/pair)",
        out.cu,
        out.cu / n as u64
    );
    assert!(
        out.cu < 200_000,
        "fits the default compute limit: {}",
        out.cu
    );
}

#[test]
fn max_age_above_the_cap_is_refused() {
    // The fixtures carry maxAge = 3600; a deployment that caps receipts at 600 s refuses them
    // before any verification work, alone or in a batch.
    let mut h = Harness::with_config_aged(SKEW, 600);
    let f = fixture(36);
    let g = fixture(37);
    expect_err(&h.verify_payment(&f), "ReceiptAgeTooLarge");
    expect_err(
        &h.verify_batch(&[f.clone(), g.clone()]),
        "ReceiptAgeTooLarge",
    );
    expect_err(
        &h.check_batch(&[f.clone(), g.clone()]),
        "ReceiptAgeTooLarge",
    );
    let buf = h.fill_proof_buffer(&[f.clone(), g.clone()]);
    expect_err(
        &h.verify_batch_from_buffer(&buf.pubkey(), &[f.clone(), g]),
        "ReceiptAgeTooLarge",
    );
    assert!(h.nullifier_record(&h.nullifier_pda(&f.nullifier)).is_none());

    // initialize_config above the maximum.
    let mut h = Harness::new();
    let out =
        h.initialize_config_aged(proofs::attester_bytes(&proofs::dev_attester()), SKEW, 3_601);
    expect_err(&out, "ReceiptAgeTooLarge");
}

#[test]
fn lifetime_may_only_shrink() {
    let mut h = Harness::with_config_aged(SKEW, 1_200);
    let age = |h: &Harness| {
        let acc = h.svm.get_account(&h.config_pda()).expect("config");
        // authority 32 ‖ attester 64 ‖ skew u32 ‖ paused ‖ bump ‖ domain 32 ‖ vk_hash 32 ‖ age u32
        let at = 8 + 32 + 64 + 4 + 1 + 1 + 32 + 32;
        let skew = u32::from_le_bytes(acc.data[8 + 96..8 + 100].try_into().expect("4"));
        let age = u32::from_le_bytes(acc.data[at..at + 4].try_into().expect("4"));
        (age, skew)
    };
    assert_eq!(age(&h), (1_200, SKEW));
    let set_age = |h: &mut Harness, v: u32| h.admin("set_max_receipt_age", &v.to_le_bytes(), None);
    let set_skew = |h: &mut Harness, v: u32| h.admin("set_max_clock_skew", &v.to_le_bytes(), None);

    expect_err(&set_age(&mut h, 3_601), "ReceiptAgeTooLarge");
    expect_err(&set_age(&mut h, 1_201), "LifetimeMayOnlyShrink");
    expect_err(&set_skew(&mut h, SKEW + 1), "LifetimeMayOnlyShrink");
    expect_err(&set_skew(&mut h, 3_601), "ClockSkewTooLarge");
    assert_eq!(age(&h), (1_200, SKEW), "unchanged");

    let out = set_age(&mut h, 1_200);
    assert!(out.ok, "keeping it is fine: {:#?}", out.logs);
    let out = set_age(&mut h, 300);
    assert!(out.ok, "lowering: {:#?}", out.logs);
    record_cu("set_max_receipt_age", out.cu);
    let out = set_skew(&mut h, 30);
    assert!(out.ok, "lowering the skew: {:#?}", out.logs);
    assert_eq!(age(&h), (300, 30));
    expect_err(&set_age(&mut h, 301), "LifetimeMayOnlyShrink");
    expect_err(&set_skew(&mut h, 31), "LifetimeMayOnlyShrink");
    let out = set_age(&mut h, 0);
    assert!(out.ok, "{:#?}", out.logs);
    assert_eq!(age(&h), (0, 30));
}

/// `Config.nullifier_rent_lamports` (what each payment funds its nullifier with, kept in the config
/// because reading the `Rent` sysvar cost every payment 384 CU) is the exempt minimum when the
/// config is made, and follows the sysvar when anyone sends `sync_nullifier_rent`. Under a stale,
/// too-low figure the runtime refuses the payment and nothing is burnt.
#[test]
fn nullifier_rent_follows_the_rent_sysvar_when_synced() {
    use x402_zk_encoding::layout::config_account::NULLIFIER_RENT_OFFSET;
    let mut h = Harness::with_config(SKEW);
    let config_rent = |h: &Harness| {
        let data = h.svm.get_account(&h.config_pda()).expect("config").data;
        u64::from_le_bytes(
            data[NULLIFIER_RENT_OFFSET..][..8]
                .try_into()
                .expect("8 bytes"),
        )
    };
    let rent: solana_rent::Rent = h.svm.get_sysvar();
    assert_eq!(config_rent(&h), rent.minimum_balance(NULLIFIER_SPACE));

    let mut dearer = rent.clone();
    dearer.lamports_per_byte *= 2;
    h.svm.set_sysvar(&dearer);
    let f = fixture(60);
    let pda = h.nullifier_pda(&f.nullifier);
    let stale = h.verify_payment(&f);
    assert!(
        !stale.ok,
        "a nullifier below the exempt minimum: {:#?}",
        stale.logs
    );
    assert!(h.nullifier_record(&pda).is_none(), "nothing burnt");

    let stranger = h.keypair();
    h.fund(&stranger.pubkey());
    let sync = Instruction::new_with_bytes(
        h.program_id,
        &h.discriminator("sync_nullifier_rent"),
        vec![AccountMeta::new(h.config_pda(), false)],
    );
    let out = h.send_ixs_from(&stranger, vec![sync], &[]);
    assert!(out.ok, "sync_nullifier_rent by anyone: {:#?}", out.logs);
    record_cu("sync_nullifier_rent", out.cu);
    assert_eq!(config_rent(&h), dearer.minimum_balance(NULLIFIER_SPACE));

    let (paid, _) = pay(&mut h, &f);
    assert_eq!(
        h.svm.get_account(&paid).expect("nullifier").lamports,
        dearer.minimum_balance(NULLIFIER_SPACE)
    );
}
