//! `verify_payment` with real receipt proofs: the happy path, every way it must fail, and CU.
use x402_zk_litesvm_tests::proofs::{attester_bytes, dev_attester};
use x402_zk_litesvm_tests::{
    assert_limit_fits, fixture, merchant, record_cu, AccountMeta, Address, Harness, Instruction,
    Keypair, Signer, DEFAULT_MAX_RECEIPT_AGE, NULLIFIER_SPACE, TEST_NOW,
};

const SKEW: u32 = 60;
const R_BE: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

fn no_panic(out: &x402_zk_litesvm_tests::Outcome) {
    assert!(
        out.logs.iter().all(|l| !l.contains("panicked")),
        "panic: {:#?}",
        out.logs
    );
}

fn expect_err(out: &x402_zk_litesvm_tests::Outcome, code: &str) {
    no_panic(out);
    assert!(!out.ok, "expected {code}, got success: {:#?}", out.logs);
    assert_eq!(out.error_code().as_deref(), Some(code), "{:#?}", out.logs);
}

#[test]
fn valid_payment_verifies_burns_nullifier_and_replay_fails() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(1);
    let out = h.verify_payment(&f);
    assert!(out.ok, "verify_payment: {:#?}", out.logs);
    assert!(
        out.has_log("Program data: "),
        "PaymentVerified event emitted"
    );
    record_cu("verify_payment (incl. nullifier PDA)", out.cu);
    if std::env::var_os("CU_PROBE_LOGS").is_some() {
        for l in out
            .logs
            .iter()
            .filter(|l| l.contains("Program log:") || l.contains("consumption"))
        {
            println!("{l}");
        }
    }
    let pda = h.nullifier_pda(&f.nullifier);
    let acc = h.svm.get_account(&pda).expect("nullifier PDA");
    assert_eq!(acc.owner, h.program_id);
    // Issue 15: only what replay protection and recycling need — discriminator (8) ‖ expires_at
    // i64 (8) ‖ rent_payer (32); nothing that tells an observer which resource (or merchant) was
    // paid for.
    assert_eq!(
        acc.data.len(),
        NULLIFIER_SPACE,
        "discriminator ‖ expires_at ‖ rent_payer"
    );
    let (expires_at, rent_payer) = h.nullifier_record(&pda).expect("a Nullifier record");
    assert_eq!(
        expires_at,
        TEST_NOW + i64::from(DEFAULT_MAX_RECEIPT_AGE) + i64::from(SKEW),
        "expires at the proof's now + age cap + skew"
    );
    assert_eq!(
        rent_payer,
        h.payer.pubkey(),
        "rent payer = the transaction's payer"
    );
    let holds = |needle: &[u8]| acc.data.windows(needle.len()).any(|w| w == needle);
    assert!(!holds(&f.resource_hash), "no resourceHash in the record");
    assert!(!holds(merchant().as_ref()), "no payTo in the record");
    let rent = h.svm.minimum_balance_for_rent_exemption(acc.data.len());
    assert_eq!(acc.lamports, rent, "rent-exempt minimum, paid by the payer");
    println!(
        "nullifier account: {} bytes, rent {} lamports",
        acc.data.len(),
        acc.lamports
    );

    let replay = h.verify_payment(&f);
    expect_err(&replay, "NullifierAlreadyUsed");
    assert!(
        replay.has_log("This nullifier was already spent"),
        "{:#?}",
        replay.logs
    );
}

#[test]
fn tampered_proof_points_fail() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(2);
    let other = fixture(3);
    for (name, range) in [("A", 0..64), ("B", 64..192), ("C", 192..256)] {
        // A byte flipped (usually off the curve) and a valid point from another proof.
        let mut g = f.clone();
        g.proof[range.start + 5] ^= 0x40;
        expect_err(&h.verify_payment(&g), "InvalidProof");
        let mut g = f.clone();
        g.proof[range.clone()].copy_from_slice(&other.proof[range.clone()]);
        let out = h.verify_payment(&g);
        expect_err(&out, "InvalidProof");
        println!("tampered {name}: InvalidProof");
    }
    // Non-negated A (the sign convention is the client's job).
    let mut g = f.clone();
    let mut y = [0u8; 32];
    y.copy_from_slice(&g.proof[32..64]);
    g.proof[32..64].copy_from_slice(&negate_fq(&y));
    expect_err(&h.verify_payment(&g), "InvalidProof");
    // The untampered proof still works afterwards: failures burnt nothing.
    assert!(h.verify_payment(&f).ok);
}

/// p − y for the BN254 base field.
fn negate_fq(y: &[u8; 32]) -> [u8; 32] {
    const P: [u8; 32] = [
        0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58,
        0x5d, 0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c,
        0xfd, 0x47,
    ];
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = P[i] as i16 - y[i] as i16 - borrow;
        borrow = (d < 0) as i16;
        out[i] = (d + 256 * borrow) as u8;
    }
    out
}

#[test]
fn wrong_public_values_fail() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(4);
    type Tamper = Box<dyn Fn(&mut x402_zk_litesvm_tests::proofs::PaymentFixture)>;
    let cases: Vec<(&str, Tamper)> = vec![
        ("resource_hash", Box::new(|g| g.resource_hash[31] ^= 1)),
        ("now", Box::new(|g| g.now += 1)),
        ("min_amount", Box::new(|g| g.min_amount -= 1)),
        ("max_age", Box::new(|g| g.max_age -= 1)),
        ("asset", Box::new(|g| g.asset[0] = 1)),
        ("nullifier", Box::new(|g| g.nullifier[31] ^= 1)),
    ];
    for (name, tamper) in cases {
        let mut g = f.clone();
        tamper(&mut g);
        let out = h.verify_payment(&g);
        println!("{name}: {:?}", out.error_code());
        expect_err(&out, "InvalidProof");
    }
    // A larger maxAge than the proof's is above the config's cap (3600 s) here: refused first.
    let mut g = f.clone();
    g.max_age += 1;
    expect_err(&h.verify_payment(&g), "ReceiptAgeTooLarge");
    // Wrong payTo: the merchant account differs from the one the proof was made for.
    let nullifier = h.nullifier_pda(&f.nullifier);
    let ix = h.verify_payment_ix(&f, Address::new_from_array([0x11; 32]), nullifier);
    expect_err(&h.send_ixs(vec![ix], &[]), "InvalidProof");
}

#[test]
fn public_values_at_or_above_the_modulus_are_rejected() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(5);
    for v in [R_BE, [0xff; 32]] {
        let mut g = f.clone();
        g.nullifier = v;
        expect_err(&h.verify_payment(&g), "PublicValueNotCanonical");
        let mut g = f.clone();
        g.resource_hash = v;
        expect_err(&h.verify_payment(&g), "PublicValueNotCanonical");
    }
}

#[test]
fn now_outside_clock_skew_fails() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(6);
    h.set_unix_time(TEST_NOW + SKEW as i64 + 1);
    expect_err(&h.verify_payment(&f), "TimestampOutOfRange");
    h.set_unix_time(TEST_NOW - SKEW as i64 - 1);
    expect_err(&h.verify_payment(&f), "TimestampOutOfRange");
    h.set_unix_time(TEST_NOW + SKEW as i64);
    let out = h.verify_payment(&f);
    assert!(out.ok, "at the edge of the skew: {:#?}", out.logs);
}

#[test]
fn wrong_attester_fails() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(7);
    let mut other = attester_bytes(&dev_attester());
    other[63] ^= 1;
    assert!(h.admin("set_attester", &other, None).ok);
    expect_err(&h.verify_payment(&f), "InvalidProof");
    assert!(
        h.admin("set_attester", &attester_bytes(&dev_attester()), None)
            .ok
    );
    assert!(h.verify_payment(&f).ok);
}

#[test]
fn paused_and_unapproved_vk_fail() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(8);
    assert!(h.set_paused(None, true).ok);
    expect_err(&h.verify_payment(&f), "Paused");
    assert!(h.set_paused(None, false).ok);

    // The key account must be a program-owned `VerifyingKeyAccount` whose hash is
    // `Config.vk_hash` (its address is not re-derived: only the program writes one, at `[b"vk"]`).
    let vk = h.vk_pda();
    let mut acc = h.svm.get_account(&vk).expect("vk account");
    // The key's bytes in an account the program does not own (anyone can fill one with them).
    let copy = Address::new_from_array([0x76; 32]);
    let mut foreign = acc.clone();
    foreign.owner = Address::new_from_array([0x11; 32]);
    h.svm.set_account(copy, foreign).expect("set");
    h.vk_account = copy;
    expect_err(&h.verify_payment(&f), "VerifyingKeyAccountMismatch");
    expect_err(
        &h.check_batch(std::slice::from_ref(&f)),
        "VerifyingKeyAccountMismatch",
    );
    // The config account in its place (wrong discriminator).
    h.vk_account = h.config_pda();
    expect_err(&h.verify_payment(&f), "VerifyingKeyAccountMismatch");
    h.vk_account = vk;
    // A key account whose recorded hash differs from Config.vk_hash.
    let original = acc.clone();
    acc.data[9] ^= 1;
    h.svm.set_account(vk, acc).expect("set");
    expect_err(&h.verify_payment(&f), "VerifyingKeyHashMismatch");
    expect_err(
        &h.check_batch(std::slice::from_ref(&f)),
        "VerifyingKeyHashMismatch",
    );
    h.svm.set_account(vk, original).expect("set");
    assert!(h.verify_payment(&f).ok);
}

#[test]
fn admin_instructions_are_authority_only() {
    let mut h = Harness::with_config(SKEW);
    let intruder = Keypair::new();
    h.fund(&intruder.pubkey());
    let attester = attester_bytes(&dev_attester());
    let cases: [(&str, Vec<u8>); 3] = [
        ("set_attester", attester.to_vec()),
        ("set_max_clock_skew", 100u32.to_le_bytes().to_vec()),
        ("set_paused", vec![1]),
    ];
    for (name, args) in cases {
        let out = h.admin(name, &args, Some(&intruder));
        println!("{name} by intruder: {:?}", out.error_code());
        expect_err(&out, "Unauthorized");
    }
    let key = x402_zk_litesvm_tests::proofs::dev_vk_bytes();
    expect_err(&h.set_verifying_key(&key, Some(&intruder)), "Unauthorized");
    let mut bad = attester;
    bad[..32].copy_from_slice(&R_BE);
    expect_err(
        &h.admin("set_attester", &bad, None),
        "AttesterKeyNotCanonical",
    );
    expect_err(
        &h.admin("set_max_clock_skew", &3_601u32.to_le_bytes(), None),
        "ClockSkewTooLarge",
    );
    let out = h.admin("set_attester", &attester, None);
    assert!(out.ok, "{:#?}", out.logs);
    record_cu("set_attester", out.cu);
    expect_err(
        &h.admin(
            "set_max_receipt_age",
            &600u32.to_le_bytes(),
            Some(&intruder),
        ),
        "Unauthorized",
    );
}

#[test]
fn wrong_nullifier_account_fails() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(9);
    let other = fixture(10);
    let other_pda = h.nullifier_pda(&other.nullifier);
    let ix = h.verify_payment_ix(&f, merchant(), other_pda);
    expect_err(&h.send_ixs(vec![ix], &[]), "NullifierAccountMismatch");
    // A non-canonical bump address is not accepted either: any other address is a mismatch.
    let ix = h.verify_payment_ix(&f, merchant(), Address::new_from_array([3; 32]));
    expect_err(&h.send_ixs(vec![ix], &[]), "NullifierAccountMismatch");
    // Pre-funding the PDA (griefing create_account) does not block the payment.
    let pda = h.nullifier_pda(&f.nullifier);
    h.svm.airdrop(&pda, 1_000_000).expect("airdrop");
    let out = h.verify_payment(&f);
    assert!(out.ok, "prefunded PDA: {:#?}", out.logs);
    // Funded above the rent: nothing is added or taken, the record is written, a replay is refused.
    let g = fixture(11);
    let pda = h.nullifier_pda(&g.nullifier);
    h.svm.airdrop(&pda, 5_000_000).expect("airdrop");
    let out = h.verify_payment(&g);
    assert!(out.ok, "prefunded above the rent: {:#?}", out.logs);
    assert_eq!(
        h.svm.get_account(&pda).expect("account").lamports,
        5_000_000
    );
    assert!(h.nullifier_record(&pda).is_some(), "the record is written");
    expect_err(&h.verify_payment(&g), "NullifierAlreadyUsed");
}

/// What a payment costs across nullifiers. The one data-dependent step of `verify_payment` that
/// matters is the canonical search for the nullifier's PDA (one SHA-256 and one curve check per
/// bump tried, each bump off the curve with probability ½), so the dev fixture above — whose
/// nullifier needs 4 tries — is not the typical payment. Records the mean, minimum and maximum over
/// 32 nullifiers, and holds the cost to `base + tries × per_try` within a few CU (byte comparisons
/// of the proof's coordinates stop at the first differing byte: measured up to 12 CU apart).
#[test]
fn verify_payment_cost_depends_only_on_the_bump_search() {
    let mut h = Harness::with_config(SKEW);
    let mut runs: Vec<(u64, u64)> = Vec::new(); // (bump tries, compute units)
    for seed in 1_000..1_032 {
        let f = fixture(seed);
        let out = h.verify_payment(&f);
        assert!(out.ok, "verify_payment (seed {seed}): {:#?}", out.logs);
        let bump = h.nullifier_bump(&f.nullifier);
        runs.push((256 - u64::from(bump), out.cu));
    }
    runs.sort_unstable();
    let (t0, c0) = runs[0];
    let (t1, c1) = *runs.last().expect("runs");
    assert!(t1 > t0, "32 nullifiers all needing {t0} tries: {runs:?}");
    // The cheapest runs of the fewest and of the most tries fix the line.
    let c1_min = runs.iter().find(|r| r.0 == t1).expect("a run").1;
    let per_try = (c1_min - c0) / (t1 - t0);
    assert!(
        (200..=450).contains(&per_try),
        "a bump try costs one sol_sha256 and one sol_curve_validate_point, not {per_try}: {runs:?}"
    );
    for &(t, c) in &runs {
        let bump = u8::try_from(256 - t).expect("a bump");
        let limit = x402_zk_encoding::compute::verify_payment(bump, false);
        assert_limit_fits(&format!("verify_payment, {t} tries"), c, limit);
        let line = c0 + (t - t0) * per_try;
        assert!(
            c.abs_diff(line) <= 32,
            "{c} CU at {t} tries, {line} on the line: something else depends on the payment: {runs:?}"
        );
    }
    let n = runs.len() as u64;
    record_cu(
        "verify_payment (mean over 32 nullifiers)",
        runs.iter().map(|r| r.1).sum::<u64>() / n,
    );
    record_cu("verify_payment (min over 32 nullifiers)", c0);
    record_cu("verify_payment (max over 32 nullifiers)", c1);
    record_cu("verify_payment (per bump tried)", per_try);
    record_cu("verify_payment (1 bump tried)", c0 - (t0 - 1) * per_try);
}

/// `verify_payment` has two entries (programs/x402-zk-verifier/src/entrypoint.rs): read in place
/// when it comes with exactly its six distinct accounts, Anchor's dispatcher otherwise (here: a
/// seventh account). Each refusal must carry the same error code through both, both must pay and
/// burn, and a nullifier burnt through one is spent for the other.
#[test]
fn both_entries_of_verify_payment_agree() {
    let mut h = Harness::with_config(SKEW);
    let through_anchor = |mut ix: Instruction| {
        ix.accounts.push(AccountMeta::new_readonly(
            Address::new_from_array([9; 32]),
            false,
        ));
        ix
    };
    let f = fixture(40);
    let pda = h.nullifier_pda(&f.nullifier);
    let good = h.verify_payment_ix(&f, merchant(), pda);
    let stranger = Address::new_from_array([5; 32]);
    type Tweak = fn(&mut Instruction, Address);
    let refusals: [(&str, Tweak); 5] = [
        ("AccountNotSigner", |ix, who| {
            ix.accounts[0] = AccountMeta::new(who, false)
        }),
        ("ConstraintMut", |ix, _| ix.accounts[4].is_writable = false),
        ("InvalidProgramId", |ix, who| {
            ix.accounts[5] = AccountMeta::new_readonly(who, false)
        }),
        ("InstructionDidNotDeserialize", |ix, _| {
            ix.data.truncate(ix.data.len() - 1)
        }),
        ("AccountOwnedByWrongProgram", |ix, who| {
            ix.accounts[3] = AccountMeta::new_readonly(who, false)
        }),
    ];
    h.svm.airdrop(&stranger, 1_000_000).expect("airdrop");
    for (code, tweak) in refusals {
        let mut ix = good.clone();
        tweak(&mut ix, stranger);
        expect_err(&h.send_ixs(vec![ix.clone()], &[]), code);
        expect_err(&h.send_ixs(vec![through_anchor(ix)], &[]), code);
    }

    // Trailing argument bytes are ignored by both (Anchor's borsh reads what it needs).
    let mut in_place = good.clone();
    in_place.data.extend_from_slice(&[7; 3]);
    let paid = h.send_ixs(vec![in_place], &[]);
    assert!(paid.ok, "in place: {:#?}", paid.logs);
    assert!(h.nullifier_record(&pda).is_some(), "burnt in place");
    expect_err(
        &h.send_ixs(vec![through_anchor(good.clone())], &[]),
        "NullifierAlreadyUsed",
    );

    let g = fixture(41);
    let pda = h.nullifier_pda(&g.nullifier);
    let good = h.verify_payment_ix(&g, merchant(), pda);
    let anchor = h.send_ixs(vec![through_anchor(good.clone())], &[]);
    assert!(anchor.ok, "through Anchor: {:#?}", anchor.logs);
    assert!(h.nullifier_record(&pda).is_some(), "burnt through Anchor");
    expect_err(&h.send_ixs(vec![good], &[]), "NullifierAlreadyUsed");
    // Same work but for the entry: what reading the input in place saves, recorded.
    record_cu(
        "verify_payment through Anchor's dispatcher (7 accounts)",
        anchor.cu,
    );
    assert!(
        paid.cu < anchor.cu,
        "in place {} CU, through Anchor {} CU",
        paid.cu,
        anchor.cu
    );
}
