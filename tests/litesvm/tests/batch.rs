//! Batch verification with real receipt proofs: valid batches, all-or-nothing failures,
//! duplicates, replays across single and batch, proof buffers, and the CU table.
use x402_zk_litesvm_tests::proofs::PaymentFixture;
use x402_zk_litesvm_tests::{
    assert_limit_fits, fixture, record_cu, Harness, Keypair, Outcome, Signer,
};

const SKEW: u32 = 60;

fn fixtures(base: u64, n: usize) -> Vec<PaymentFixture> {
    (0..n as u64).map(|i| fixture(base + i)).collect()
}

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
fn valid_batch_burns_every_nullifier() {
    let mut h = Harness::with_config(SKEW);
    let fs = fixtures(100, 2);
    let out = h.check_batch(&fs);
    assert!(out.ok, "check_batch: {:#?}", out.logs);
    let out = h.verify_batch(&fs);
    assert!(out.ok, "verify_batch: {:#?}", out.logs);
    for f in &fs {
        assert!(h
            .svm
            .get_account(&h.nullifier_pda(&f.nullifier))
            .is_some_and(|a| a.owner == h.program_id));
    }
    expect_err(&h.verify_batch(&fs), "NullifierAlreadyUsed");
}

#[test]
fn one_bad_proof_fails_the_whole_batch() {
    let mut h = Harness::with_config(SKEW);
    let mut fs = fixtures(110, 3);
    // A valid point from another proof: the pairing product fails.
    let c1 = fs[1].proof[192..].to_vec();
    fs[2].proof[192..].copy_from_slice(&c1);
    expect_err(&h.verify_batch(&fs), "InvalidProof");
    for f in &fs {
        assert!(
            h.svm.get_account(&h.nullifier_pda(&f.nullifier)).is_none(),
            "nothing burnt"
        );
    }
    // A byte flip in A of a later proof: not on the curve → MalformedProof.
    let mut gs = fixtures(110, 3);
    gs[1].proof[7] ^= 0x10;
    let out = h.verify_batch(&gs);
    assert!(!out.ok);
    let code = out.error_code();
    assert!(
        matches!(
            code.as_deref(),
            Some("MalformedProof") | Some("InvalidProof")
        ),
        "{:#?}",
        out.logs
    );
    // Tampered B and a wrong public value.
    let mut gs = fixtures(110, 3);
    gs[0].proof[100] ^= 0x01;
    expect_err(&h.verify_batch(&gs), "InvalidProof");
    let mut gs = fixtures(110, 3);
    gs[2].resource_hash[31] ^= 1;
    expect_err(&h.verify_batch(&gs), "InvalidProof");
    // Swapping proofs between entries breaks it too.
    let mut gs = fixtures(110, 2);
    let p0 = gs[0].proof;
    gs[0].proof = gs[1].proof;
    gs[1].proof = p0;
    expect_err(&h.check_batch(&gs), "InvalidProof");
    // The untampered batch still verifies.
    assert!(h.verify_batch(&fixtures(110, 3)).ok);
}

#[test]
fn duplicates_counts_and_limits() {
    let mut h = Harness::with_config(SKEW);
    let f = fixture(120);
    expect_err(
        &h.check_batch(&[f.clone(), f.clone()]),
        "DuplicateNullifierInBatch",
    );
    expect_err(
        &h.verify_batch(&[f.clone(), f.clone()]),
        "DuplicateNullifierInBatch",
    );
    expect_err(&h.check_batch(&[]), "EmptyBatch");
    let mut g = f.clone();
    g.nullifier = [0xff; 32];
    expect_err(&h.check_batch(&[g]), "PublicValueNotCanonical");
}

#[test]
fn replay_across_single_and_batch() {
    let mut h = Harness::with_config(SKEW);
    let fs = fixtures(130, 3);
    assert!(h.verify_payment(&fs[0]).ok);
    expect_err(&h.verify_batch(&fs[..2]), "NullifierAlreadyUsed");
    assert!(
        h.svm
            .get_account(&h.nullifier_pda(&fs[1].nullifier))
            .is_none(),
        "all or nothing"
    );
    assert!(h.verify_batch(&fs[1..]).ok);
    expect_err(&h.verify_payment(&fs[2]), "NullifierAlreadyUsed");
}

#[test]
fn paused_and_expired_batches_fail() {
    let mut h = Harness::with_config(SKEW);
    let fs = fixtures(140, 2);
    assert!(h.set_paused(None, true).ok);
    expect_err(&h.verify_batch(&fs), "Paused");
    assert!(h.set_paused(None, false).ok);
    h.set_unix_time(x402_zk_litesvm_tests::TEST_NOW + 61);
    expect_err(&h.verify_batch(&fs), "TimestampOutOfRange");
}

#[test]
fn proof_buffer_round_trip() {
    let mut h = Harness::with_config(SKEW);
    let fs = fixtures(150, 4);
    let buf = h.fill_proof_buffer(&fs);
    let out = h.verify_batch_from_buffer(&buf.pubkey_addr(), &fs);
    assert!(out.ok, "verify_batch_from_buffer: {:#?}", out.logs);
    expect_err(
        &h.verify_batch_from_buffer(&buf.pubkey_addr(), &fs),
        "NullifierAlreadyUsed",
    );
    // Writing past the end fails with a typed error.
    expect_err(
        &h.write_proof_buffer(&buf.pubkey_addr(), 3, &fs[..2]),
        "ProofBufferOverflow",
    );
    expect_err(
        &h.write_proof_buffer(&buf.pubkey_addr(), u32::MAX, &fs[..1]),
        "ProofBufferOverflow",
    );
    let before = h.svm.get_balance(&h.payer.pubkey_addr()).unwrap_or(0);
    let out = h.close_proof_buffer(&buf.pubkey_addr());
    assert!(out.ok, "close: {:#?}", out.logs);
    assert!(
        h.svm.get_balance(&h.payer.pubkey_addr()).unwrap_or(0) > before,
        "rent returned"
    );
}

/// Issue 14: `init_proof_buffer` requires the buffer account's signature, so an account created
/// in an earlier transaction cannot be claimed by whoever initializes it first.
#[test]
fn init_proof_buffer_requires_the_buffer_signature() {
    let mut h = Harness::with_config(SKEW);
    let buf = h.keypair();
    let create = h.create_buffer_account_ix(&buf.pubkey(), 2);
    let out = h.send_ixs(vec![create], &[&buf]);
    assert!(out.ok, "create the account: {:#?}", out.logs);

    // A stranger claims the fresh account in a later transaction, without the buffer's key.
    let stranger = Keypair::new();
    h.fund(&stranger.pubkey());
    let ix = h.init_proof_buffer_ix(&stranger.pubkey(), &buf.pubkey(), false);
    expect_err(&h.send_ixs(vec![ix], &[&stranger]), "AccountNotSigner");
    // The creator without the buffer's signature is refused the same way.
    let ix = h.init_proof_buffer_ix(&h.payer.pubkey(), &buf.pubkey(), false);
    expect_err(&h.send_ixs(vec![ix], &[]), "AccountNotSigner");
    let acc = h.svm.get_account(&buf.pubkey()).expect("buffer");
    assert!(acc.data.iter().all(|b| *b == 0), "still uninitialized");

    // With the buffer's signature (here in a separate transaction) it is initialized for the signer.
    let ix = h.init_proof_buffer_ix(&h.payer.pubkey(), &buf.pubkey(), true);
    let out = h.send_ixs(vec![ix], &[&buf]);
    assert!(out.ok, "init with the buffer's signature: {:#?}", out.logs);
    let acc = h.svm.get_account(&buf.pubkey()).expect("buffer");
    assert_eq!(&acc.data[..8], b"x402pbuf");
    assert_eq!(&acc.data[8..40], h.payer.pubkey().as_ref(), "authority");
    // Initialized once: a second init (even signed) is refused.
    let ix = h.init_proof_buffer_ix(&stranger.pubkey(), &buf.pubkey(), true);
    expect_err(
        &h.send_ixs(vec![ix], &[&stranger, &buf]),
        "ProofBufferInvalid",
    );
}

trait Addr {
    fn pubkey_addr(&self) -> x402_zk_litesvm_tests::Address;
}
impl Addr for x402_zk_litesvm_tests::Keypair {
    fn pubkey_addr(&self) -> x402_zk_litesvm_tests::Address {
        use x402_zk_litesvm_tests::Signer;
        self.pubkey()
    }
}

/// Compute units per batch size: verify-only (`check_batch`), and with nullifiers (inline
/// `verify_batch` for n ≤ 2, `verify_batch_from_buffer` for every n). Written to litesvm-cu.json.
#[test]
fn batch_compute_units() {
    let sizes = [1usize, 2, 4, 8, 16, 32];
    let all = fixtures(1000, 32);
    let mut rows = Vec::new();
    // (what, measured, the limit a client requests), checked once every size is measured.
    let mut limits: Vec<(String, u64, u32)> = Vec::new();
    for &n in &sizes {
        let fs = &all[..n];
        let mut h = Harness::with_config(SKEW);
        let check = h.check_batch(fs);
        if std::env::var_os("CU_PROBE_LOGS").is_some() && n == 16 {
            for l in check
                .logs
                .iter()
                .filter(|l| l.contains("Program log:") || l.contains("consumption"))
            {
                println!("{l}");
            }
        }
        let check_cu = if check.ok { Some(check.cu) } else { None };
        if !check.ok {
            println!(
                "check_batch n={n} failed: {:?} {:#?}",
                check.error_code(),
                &check.logs[check.logs.len().saturating_sub(6)..]
            );
        }
        let inline = if n <= 2 {
            let mut h2 = Harness::with_config(SKEW);
            let o = h2.verify_batch(fs);
            assert!(o.ok, "verify_batch n={n}: {:#?}", o.logs);
            Some(o.cu)
        } else {
            None
        };
        let buf = h.fill_proof_buffer(fs);
        let out = h.verify_batch_from_buffer(&buf.pubkey_addr(), fs);
        let buf_cu = if out.ok { Some(out.cu) } else { None };
        if !out.ok {
            println!(
                "from_buffer n={n} failed: {:?} {:?}",
                out.error_code(),
                out.logs.last()
            );
        }
        let bumps: Vec<u8> = fs.iter().map(|f| h.nullifier_bump(&f.nullifier)).collect();
        let tries: u32 = bumps
            .iter()
            .map(|b| x402_zk_encoding::compute::bump_tries(*b))
            .sum();
        println!("limits: n={n} tries={tries} inline={inline:?} buffer={buf_cu:?}");
        if let Some(c) = inline {
            let limit = x402_zk_encoding::compute::inline_batch(&bumps);
            limits.push((format!("verify_batch n={n}"), c, limit));
        }
        if let Some(c) = buf_cu {
            let limit = x402_zk_encoding::compute::buffer_batch(&bumps);
            limits.push((format!("verify_batch_from_buffer n={n}"), c, limit));
        }
        if let Some(c) = check_cu {
            record_cu(&format!("check_batch n={n}"), c);
        }
        if let Some(c) = inline {
            record_cu(&format!("verify_batch n={n}"), c);
        }
        if let Some(c) = buf_cu {
            record_cu(&format!("verify_batch_from_buffer n={n}"), c);
        }
        rows.push((n, check_cu, inline, buf_cu));
    }
    println!("| n | check_batch (verify only) | per proof | verify_batch inline | verify_batch_from_buffer | per proof |");
    for (n, c, i, b) in rows {
        let f = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
        let per = |x: Option<u64>| {
            x.map(|v| (v / n as u64).to_string())
                .unwrap_or_else(|| "—".into())
        };
        println!(
            "| {n} | {} | {} | {} | {} | {} |",
            f(c),
            per(c),
            f(i),
            f(b),
            per(b)
        );
    }
    for (what, measured, limit) in limits {
        assert_limit_fits(&what, measured, limit);
    }
}
