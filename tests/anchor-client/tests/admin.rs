//! Config administration through anchor-client on a real solana-test-validator: only the program's
//! upgrade authority may create the config (a stranger's `initialize_config` on the freshly
//! deployed program is refused), only the authority may change it, pausing blocks verification
//! until resumed, a key from a small ceremony run written with `set_verifying_key` verifies its own
//! proofs and refuses dev-key proofs (the same program binary), garbage keys are refused, another
//! attester stops payments, and the config cannot be initialized twice.
//!
//! Its own validator (the cases change the one config PDA the payment tests rely on).
use anyhow::Result;
use solana_keypair::Keypair;
use solana_signer::Signer;
use x402_zk_anchor_client_tests::*;
use x402_zk_verifier::errors::ErrorCode;
use x402_zk_verifier::events::{ConfigUpdated, VerifyingKeySet};
use x402_zk_verifier::instruction;
use x402_zk_verifier::state::{Config, VerifyingKeyAccount, MAX_ALLOWED_CLOCK_SKEW_SECONDS};

const SKEW: u32 = 600;
const RESOURCE: &[u8] = b"GET https://example.com/premium";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs target/deploy/x402_zk_verifier.so and solana-test-validator; scripts/test.sh runs it with --ignored"]
async fn admin_on_the_validator() -> Result<()> {
    let prover = Prover::dev()?;
    let env = TestEnv::start().await?;
    let p = &env.program;
    stranger_cannot_initialize(&env).await?;
    let sig = initialize_config(p, prover.attester_bytes(), SKEW).await?;
    let tx = landed(p, &sig).await?;
    let c = config(&env).await?;
    assert_eq!(
        c.authority,
        env.payer.pubkey(),
        "the upgrade authority's init succeeded"
    );
    assert_eq!(c.vk_hash, prover.vk_sha256(), "vk_hash computed on chain");
    let set: Vec<VerifyingKeySet> = tx.events();
    assert_eq!(set.len(), 1, "VerifyingKeySet emitted at initialization");
    assert_eq!(
        (set[0].previous_vk_hash, set[0].vk_hash),
        ([0; 32], c.vk_hash)
    );
    println!("initialize_config by the upgrade authority: created");
    // What a deployment's set-up locks in rent (measured, for the README's deployment costs).
    for (name, address) in [("config account", config_pda()), ("vk account", vk_pda())] {
        let acc = p.rpc().get_account(&address).await?;
        // scripts/deploy-cost-table.sh prints the README's table from these.
        record_lamports(&format!("deploy: {name} rent"), acc.lamports);
        record_lamports(&format!("deploy: {name} bytes"), acc.data.len() as u64);
    }
    // The program itself: what `solana program deploy` must fund for a ProgramData of this size.
    let pd = p.rpc().get_account(&program_data_address()).await?;
    let pd_rent = p
        .rpc()
        .get_minimum_balance_for_rent_exemption(pd.data.len())
        .await?;
    record_lamports("deploy: programdata rent", pd_rent);
    record_lamports("deploy: programdata bytes", pd.data.len() as u64);
    assert_eq!(
        p.rpc().get_account(&vk_pda()).await?.data.len(),
        VerifyingKeyAccount::SPACE
    );

    let merchant = Keypair::new().pubkey();
    let (_, now) = validator_clock(p).await?;
    let p1 = prover.payment(11, &merchant, now as u64, RESOURCE)?;
    let p2 = prover.payment(12, &merchant, now as u64, RESOURCE)?;

    intruder_is_refused(&env).await?;
    skew_limit(&env).await?;
    pause_blocks_verification(&env, &p1).await?;
    unapproved_key_and_other_attester_stop_payments(&env, &prover, &p2).await?;
    second_initialize_is_refused(&env, &prover).await?;
    Ok(())
}

async fn config(env: &TestEnv) -> Result<Config> {
    Ok(env.program.account(config_pda()).await?)
}

/// Issue 14: on the freshly deployed program a front-runner's `initialize_config` fails with
/// `Unauthorized` (it is not the upgrade authority in the ProgramData account) and creates nothing.
async fn stranger_cannot_initialize(env: &TestEnv) -> Result<()> {
    let p = &env.program;
    assert_eq!(
        upgrade_authority(p).await?,
        Some(env.payer.pubkey()),
        "the validator loaded the program upgradeable, the test wallet as upgrade authority"
    );
    let (stranger, q) = env.client().await?;
    let f = expect_program_error(
        "initialize_config by a stranger",
        initialize_config(&q, [3u8; 64], 5).await,
        ErrorCode::Unauthorized,
    );
    assert!(
        f.has_log("AnchorError caused by account: program_data"),
        "refused by the ProgramData check: {:#?}",
        f.logs
    );
    // Presenting an account it controls as "ProgramData" does not help either.
    let err = initialize_config_with(&q, stranger.pubkey(), [3u8; 64], 5)
        .await
        .expect_err("a fake ProgramData must be refused");
    let f = Failure::from_client_error(&err);
    assert!(
        f.anchor_error_name().is_some(),
        "typed error: {:#?}",
        f.logs
    );
    let none = p
        .rpc()
        .get_account_with_commitment(&config_pda(), anchor_client::CommitmentConfig::confirmed())
        .await?
        .value;
    assert!(none.is_none(), "no config was created");
    Ok(())
}

/// Every admin instruction signed by someone other than the authority fails `Unauthorized` and
/// changes nothing.
async fn intruder_is_refused(env: &TestEnv) -> Result<()> {
    let before = config(env).await?;
    let (intruder, q) = env.client().await?;
    assert_ne!(intruder.pubkey(), before.authority);
    expect_program_error(
        "set_paused by a stranger",
        admin(&q, instruction::SetPaused { paused: true }).await,
        ErrorCode::Unauthorized,
    );
    expect_program_error(
        "set_attester by a stranger",
        admin(
            &q,
            instruction::SetAttester {
                attester: [1u8; 64],
            },
        )
        .await,
        ErrorCode::Unauthorized,
    );
    expect_program_error(
        "set_max_clock_skew by a stranger",
        admin(
            &q,
            instruction::SetMaxClockSkew {
                max_clock_skew_seconds: 3_600,
            },
        )
        .await,
        ErrorCode::Unauthorized,
    );
    expect_program_error(
        "set_max_receipt_age by a stranger",
        admin(
            &q,
            instruction::SetMaxReceiptAge {
                max_receipt_age_seconds: 1,
            },
        )
        .await,
        ErrorCode::Unauthorized,
    );
    expect_program_error(
        "set_verifying_key by a stranger",
        set_verifying_key(&q, dev_vk_bytes()).await,
        ErrorCode::Unauthorized,
    );
    let after = config(env).await?;
    assert_eq!(after.paused, before.paused);
    assert_eq!(after.attester, before.attester);
    assert_eq!(after.max_clock_skew_seconds, before.max_clock_skew_seconds);
    assert_eq!(after.vk_hash, before.vk_hash);
    Ok(())
}

async fn skew_limit(env: &TestEnv) -> Result<()> {
    let p = &env.program;
    expect_program_error(
        "clock skew above the limit",
        admin(
            p,
            instruction::SetMaxClockSkew {
                max_clock_skew_seconds: MAX_ALLOWED_CLOCK_SKEW_SECONDS + 1,
            },
        )
        .await,
        ErrorCode::ClockSkewTooLarge,
    );
    // Issue 15: the skew (like the receipt age cap) may only be lowered.
    expect_program_error(
        "raising the clock skew",
        admin(
            p,
            instruction::SetMaxClockSkew {
                max_clock_skew_seconds: SKEW + 1,
            },
        )
        .await,
        ErrorCode::LifetimeMayOnlyShrink,
    );
    let sig = admin(
        p,
        instruction::SetMaxClockSkew {
            max_clock_skew_seconds: SKEW - 1,
        },
    )
    .await?;
    landed(p, &sig).await?;
    assert_eq!(config(env).await?.max_clock_skew_seconds, SKEW - 1);
    Ok(())
}

async fn pause_blocks_verification(env: &TestEnv, pay: &Payment) -> Result<()> {
    let p = &env.program;
    let sig = admin(p, instruction::SetPaused { paused: true }).await?;
    let tx = landed(p, &sig).await?;
    record_cu("set_paused", tx.compute_units);
    assert!(config(env).await?.paused);
    let updates: Vec<ConfigUpdated> = tx.events();
    assert_eq!(updates.len(), 1);
    assert!(updates[0].paused, "ConfigUpdated reports the pause");

    expect_program_error(
        "verify_payment while paused",
        verify_payment(p, pay).await,
        ErrorCode::Paused,
    );
    expect_program_error(
        "verify_batch while paused",
        verify_batch(p, &[*pay]).await,
        ErrorCode::Paused,
    );

    let sig = admin(p, instruction::SetPaused { paused: false }).await?;
    landed(p, &sig).await?;
    assert!(!config(env).await?.paused);
    let sig = verify_payment(p, pay).await?;
    landed(p, &sig).await?;
    println!("verify_payment succeeds again after resuming");
    Ok(())
}

async fn unapproved_key_and_other_attester_stop_payments(
    env: &TestEnv,
    prover: &Prover,
    pay: &Payment,
) -> Result<()> {
    let p = &env.program;
    // Production keys as data: a key from a small ceremony run, written with set_verifying_key,
    // verifies the ceremony's proofs and refuses the dev key's, through the same program binary.
    let ceremony = Prover::ceremony()?;
    let tx = landed(p, &set_verifying_key(p, ceremony.vk_bytes()).await?).await?;
    record_cu("set_verifying_key", tx.compute_units);
    assert_eq!(config(env).await?.vk_hash, ceremony.vk_sha256());
    let set: Vec<VerifyingKeySet> = tx.events();
    assert_eq!(set.len(), 1);
    assert_eq!(
        (set[0].previous_vk_hash, set[0].vk_hash),
        (prover.vk_sha256(), ceremony.vk_sha256())
    );
    expect_program_error(
        "a dev-key proof under the ceremony's key",
        verify_payment(p, pay).await,
        ErrorCode::InvalidProof,
    );
    let (_, now) = validator_clock(p).await?;
    let cp = ceremony.payment(31, &pay.pay_to, now as u64, RESOURCE)?;
    let tx = landed(p, &verify_payment(p, &cp).await?).await?;
    record_cu("verify_payment (ceremony key)", tx.compute_units);
    println!("a ceremony-key proof verifies on the validator");

    // Garbage keys are refused with a typed error and change nothing.
    let mut off_curve = ceremony.vk_bytes();
    off_curve[63] ^= 1; // α.y
    for (what, key) in [
        ("a key of ones", vec![1u8; 576]),
        ("a key of non-canonical coordinates", vec![0xff; 576]),
        ("a key with a point off the curve", off_curve),
    ] {
        expect_program_error(
            what,
            set_verifying_key(p, key).await,
            ErrorCode::VerifyingKeyInvalid,
        );
    }
    assert_eq!(config(env).await?.vk_hash, ceremony.vk_sha256());

    // Back to the dev key for the rest of the suite.
    landed(p, &set_verifying_key(p, dev_vk_bytes()).await?).await?;
    assert_eq!(config(env).await?.vk_hash, prover.vk_sha256());

    // Another attester: the receipt behind the proof is no longer signed by the configured key.
    let other = x402_zk_circuits::eddsa::Attester::generate(&mut {
        use ark_std::rand::SeedableRng;
        ark_std::rand::rngs::StdRng::seed_from_u64(ATTESTER_SEED + 1)
    });
    let mut other_bytes = [0u8; 64];
    other_bytes[..32].copy_from_slice(&x402_zk_circuits::field::fr_to_be_bytes(&other.public().x));
    other_bytes[32..].copy_from_slice(&x402_zk_circuits::field::fr_to_be_bytes(&other.public().y));
    assert_ne!(other_bytes, prover.attester_bytes());
    landed(
        p,
        &admin(
            p,
            instruction::SetAttester {
                attester: other_bytes,
            },
        )
        .await?,
    )
    .await?;
    // The payment's policy was registered under the previous attester: refused as stale (its
    // policyHash binds the old key), before any proof work.
    expect_program_error(
        "verify_payment after the attester changed",
        verify_payment(p, pay).await,
        ErrorCode::PolicyStale,
    );
    let mut not_canonical = [0xffu8; 64];
    not_canonical[32..].copy_from_slice(&prover.attester_bytes()[32..]);
    expect_program_error(
        "attester coordinate ≥ r",
        admin(
            p,
            instruction::SetAttester {
                attester: not_canonical,
            },
        )
        .await,
        ErrorCode::AttesterKeyNotCanonical,
    );
    landed(
        p,
        &admin(
            p,
            instruction::SetAttester {
                attester: prover.attester_bytes(),
            },
        )
        .await?,
    )
    .await?;

    // Restored key and attester: the same proof pays.
    let sig = verify_payment(p, pay).await?;
    landed(p, &sig).await?;
    Ok(())
}

async fn second_initialize_is_refused(env: &TestEnv, prover: &Prover) -> Result<()> {
    let before = config(env).await?;
    let (_, q) = env.client().await?;
    let err = initialize_config(&q, [3u8; 64], 5)
        .await
        .expect_err("a second initialize_config must fail");
    let f = Failure::from_client_error(&err);
    assert!(
        f.has_log("already in use"),
        "the config PDA exists: {:#?}",
        f.logs
    );
    let after = config(env).await?;
    assert_eq!(after.authority, before.authority, "authority unchanged");
    assert_eq!(
        after.attester,
        prover.attester_bytes(),
        "attester unchanged"
    );
    Ok(())
}
