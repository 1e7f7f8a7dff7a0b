//! The facilitator's batch settlement through a proof buffer, on a real `solana-test-validator`
//! (issue #15 part 4): the facilitator runs in-process (its real `State` and routes, `--batch-max
//! 16`) against the validator this binary starts, and concurrent `/settle` calls for one merchant
//! are settled by one `verify_batch_from_buffer` transaction.
//!
//! What it checks and measures (`target/anchor-client-lamports.json`, `target/anchor-client-cu.json`):
//! - 10 concurrent payments: every caller gets success with the same transaction signature, all 10
//!   nullifiers are burnt; the fee payer's spend from balances, net of the rent it locked.
//! - a group holding a nullifier burnt meanwhile by another route (a direct `verify_payment`): that
//!   one is refused `nullifier_already_used`, the other 10 settle together, reusing the buffer.
//! - 16 concurrent payments (a new buffer of 16 slots), then 16 more (reused), then one alone: the
//!   lamports per payment of a buffer batch of 16 against a single `verify_payment`.
//!
//! `#[ignore]`d like the other tests of this crate (they need the built program and a validator):
//! `cargo test --workspace --test facilitator_batch -- --ignored --nocapture`
//! (`X402_ZK_VALIDATOR_PORTS=23000-24999` to pick the validator's ports).
use std::str::FromStr;
use std::sync::Arc;

use actix_web::{test, App};
use anchor_client::anchor_lang::prelude::Pubkey;
use anyhow::{ensure, Context, Result};
use ark_bn254::Fr;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use base64::Engine;
use clap::Parser;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;
use x402_zk_anchor_client_tests::*;
use x402_zk_circuits::eddsa::Attester;
use x402_zk_circuits::field::fr_to_be_bytes;
use x402_zk_circuits::groth16::ProvingKeys;
use x402_zk_circuits::receipt::{commitment, PublicParams, Receipt, Witness};
use x402_zk_facilitator::app::{configure, State};
use x402_zk_facilitator::config::Config;
use x402_zk_verifier::instructions::PaymentProof;

const ATTESTER_SECRET: [u8; 32] = [0x42; 32];
/// Clock skew allowed on chain and by the facilitator: a round's proofs are all made before it is
/// sent, which takes a while on a shared machine.
const SKEW: u32 = 300;
const MAX_AGE: u64 = 600;
const AMOUNT: u64 = 1_000;
const SOL: &str = "11111111111111111111111111111111";

fn requirements(pay_to: &Pubkey) -> Value {
    json!({
        "scheme": "zk-receipt", "network": "solana:localnet", "asset": SOL,
        "amount": AMOUNT.to_string(), "payTo": pay_to.to_string(), "maxTimeoutSeconds": 60,
        "extra": { "programId": x402_zk_verifier::ID.to_string(), "maxAge": MAX_AGE,
                   "resourceHash": "0x01" },
    })
}

/// A real paid `/settle` body for `pay_to` (the payer's secret from `seed`), and the same payment
/// as the program takes it.
fn paid(keys: &ProvingKeys, pay_to: &Pubkey, seed: u64, now: u64) -> Result<(Value, Payment)> {
    let attester = Attester::from_secret(ATTESTER_SECRET);
    let mut rng = StdRng::seed_from_u64(seed);
    let secret = Fr::from(seed + 1_000);
    let public = PublicParams {
        attester: attester.public(),
        pay_to: pay_to.to_bytes(),
        asset: [0; 32],
        min_amount: AMOUNT,
        now,
        max_age: MAX_AGE,
        resource_hash: Fr::from(1u64),
        program_id: x402_zk_verifier::ID.to_bytes(),
    };
    let receipt = Receipt {
        pay_to: public.pay_to,
        asset: public.asset,
        amount: PAID_AMOUNT,
        paid_at: now - 60,
        commitment: commitment(&secret),
    };
    let w = Witness {
        public,
        secret,
        amount: receipt.amount,
        paid_at: receipt.paid_at,
        signature: receipt.sign(&attester),
    };
    let bundle = x402_zk_circuits::groth16::prove(keys, &w, &mut rng)?;
    let reqs = requirements(pay_to);
    let body = json!({
        "x402Version": 2,
        "paymentPayload": { "x402Version": 2, "accepted": reqs, "payload": {
            "proof": base64::engine::general_purpose::STANDARD.encode(bundle.solana_proof_bytes()),
            "nullifier": format!("0x{}", hex::encode(bundle.nullifier_bytes())),
            "now": now, "resourceHash": "0x01",
        }},
        "paymentRequirements": reqs,
    });
    let payment = Payment {
        terms: PaymentTerms {
            asset: Pubkey::new_from_array(public.asset),
            min_amount: AMOUNT,
            max_age: MAX_AGE,
        },
        attester: public.attester,
        proof: PaymentProof {
            proof: bundle.solana_proof_bytes(),
            now,
            resource_hash: fr_to_be_bytes(&public.resource_hash),
            nullifier: bundle.nullifier_bytes(),
        },
        pay_to: *pay_to,
    };
    Ok((body, payment))
}

fn wall_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `n` payments proven now (seeds `first..first + n`).
fn round(keys: &ProvingKeys, pay_to: &Pubkey, first: u64, n: u64) -> Result<Vec<(Value, Payment)>> {
    let t0 = std::time::Instant::now();
    let now = wall_clock();
    let out = (first..first + n)
        .map(|seed| paid(keys, pay_to, seed, now))
        .collect::<Result<Vec<_>>>()?;
    println!("proved {n} payments in {:.1}s", t0.elapsed().as_secs_f64());
    Ok(out)
}

async fn burnt(env: &TestEnv, p: &Payment) -> Result<bool> {
    let acc = env
        .program
        .rpc()
        .get_account_with_commitment(
            &nullifier_pda(&p.proof.nullifier).0,
            anchor_client::CommitmentConfig::confirmed(),
        )
        .await?
        .value;
    Ok(acc.is_some_and(|a| a.owner == x402_zk_verifier::ID && !a.data.is_empty()))
}

async fn rent(env: &TestEnv, space: usize) -> Result<u64> {
    Ok(env
        .program
        .rpc()
        .get_minimum_balance_for_rent_exemption(space)
        .await?)
}

/// What the fee payer spent on a settled round, net of the rent it locked (nullifier accounts,
/// proof buffers and policies created): the transaction fees.
struct Spend {
    total: u64,
    locked: u64,
}

impl Spend {
    fn fees(&self) -> u64 {
        self.total - self.locked
    }
}

#[actix_web::test]
#[ignore = "needs target/deploy/x402_zk_verifier.so and solana-test-validator; run with --ignored"]
async fn facilitator_settles_a_group_through_one_proof_buffer() {
    run().await.unwrap();
}

async fn run() -> Result<()> {
    let env = TestEnv::start().await?;
    let keys = ProvingKeys::dev_setup_deterministic()?;
    let prover = Prover {
        keys,
        attester: Attester::from_secret(ATTESTER_SECRET),
    };
    ensure!(
        prover.vk_bytes() == dev_vk_bytes(),
        "dev keys differ from keys/dev"
    );
    let sig = initialize_config(&env.program, prover.attester_bytes(), SKEW).await?;
    landed(&env.program, &sig).await?;

    // The facilitator: its own fee payer, key files in a temp dir, batching up to 16.
    let dir = tempfile::tempdir()?;
    prover.keys.verifier.save(&dir.path().join("receipt.vk"))?;
    std::fs::write(
        dir.path().join("attester.json"),
        json!({ "secretKey": hex::encode(ATTESTER_SECRET) }).to_string(),
    )?;
    let fee_payer = Keypair::new();
    std::fs::write(
        dir.path().join("fee-payer.json"),
        serde_json::to_string(&fee_payer.to_bytes().to_vec())?,
    )?;
    airdrop(&env.program, &fee_payer.pubkey(), 20_000_000_000).await?;
    let merchant = Keypair::new().pubkey();
    let d = |f: &str| dir.path().join(f).display().to_string();
    let (rpc_url, program_id, pay_to, skew) = (
        env.validator.rpc_url.clone(),
        x402_zk_verifier::ID.to_string(),
        merchant.to_string(),
        SKEW.to_string(),
    );
    let (attester_key, fee_payer_key, vk) =
        (d("attester.json"), d("fee-payer.json"), d("receipt.vk"));
    let config = Config::parse_from([
        "x402-zk-facilitator",
        "--rpc-urls",
        rpc_url.as_str(),
        "--program-id",
        program_id.as_str(),
        "--attester-key",
        attester_key.as_str(),
        "--fee-payer",
        fee_payer_key.as_str(),
        "--verifying-key",
        vk.as_str(),
        "--allow-dev-keys",
        "--pay-to",
        pay_to.as_str(),
        "--max-clock-skew-seconds",
        skew.as_str(),
        "--batch-max",
        "16",
        "--batch-window-ms",
        "3000",
    ]);
    let state: Arc<State> = State::from_config(&config)?;
    ensure!(
        state.chain.check(&state.rpc).await,
        "chain config guard: {:?}",
        state.chain.status()
    );
    state.start_batcher();
    let app = test::init_service(App::new().configure(configure(state.clone()))).await;
    let settle_all = |bodies: Vec<Value>| {
        let app = &app;
        async move {
            futures_util::future::join_all(bodies.into_iter().map(|b| {
                test::call_and_read_body_json::<_, _, Value>(
                    app,
                    test::TestRequest::post()
                        .uri("/settle")
                        .set_json(b)
                        .to_request(),
                )
            }))
            .await
        }
    };
    let balance = || async {
        env.program
            .rpc()
            .get_balance(&fee_payer.pubkey())
            .await
            .context("fee payer balance")
    };
    let nullifier_rent = rent(&env, x402_zk_encoding::layout::nullifier_account::SPACE).await?;
    let policy_rent = rent(&env, x402_zk_encoding::layout::policy_account::SPACE).await?;
    let buffer_rent = |n: usize| rent(&env, x402_zk_encoding::layout::proof_buffer::space(n));
    let created = || {
        state
            .metrics
            .total("facilitator_proof_buffers_created_total")
    };

    // 1. Ten concurrent payments: one verify_batch_from_buffer for all (policy and a 10-slot
    //    buffer created first).
    let ten = round(&prover.keys, &merchant, 1, 10)?;
    let before = balance().await?;
    let answers = settle_all(ten.iter().map(|(b, _)| b.clone()).collect()).await;
    let spent = before - balance().await?;
    let sig = one_signature(&answers, 10)?;
    for (_, p) in &ten {
        ensure!(
            burnt(&env, p).await?,
            "nullifier of a settled payment not burnt"
        );
    }
    ensure!(created() == 1, "one buffer created, not {}", created());
    let tx = landed(&env.program, &Signature::from_str(&sig)?).await?;
    record_cu(
        "facilitator: verify_batch_from_buffer (10 proofs)",
        tx.compute_units,
    );
    let first = Spend {
        total: spent,
        locked: 10 * nullifier_rent + policy_rent + buffer_rent(10).await?,
    };
    println!(
        "round 1 (10, policy + buffer created): spent {} lamports, {} of it locked rent, fees {}",
        first.total,
        first.locked,
        first.fees()
    );
    // Fees: policy registration, buffer creation (2 signatures), 4 writes, 1 verify.
    ensure!(
        first.fees() == 5_000 * (1 + 2 + 4 + 1),
        "round 1 fees {} lamports",
        first.fees()
    );

    // 2. A group holding a nullifier burnt meanwhile by another route (a direct verify_payment
    //    from another key): that one is refused, the other ten settle together, reusing the
    //    10-slot buffer.
    let eleven = round(&prover.keys, &merchant, 100, 11)?;
    let burnt_elsewhere = &eleven[0].1;
    let sig0 = verify_payment(&env.program, burnt_elsewhere).await?;
    landed(&env.program, &sig0).await?;
    let before = balance().await?;
    let answers = settle_all(eleven.iter().map(|(b, _)| b.clone()).collect()).await;
    let spent = before - balance().await?;
    ensure!(
        answers[0]["success"] == json!(false)
            && answers[0]["errorReason"] == json!("nullifier_already_used"),
        "the burnt one: {}",
        answers[0]
    );
    one_signature(&answers[1..], 10)?;
    for (_, p) in &eleven {
        ensure!(burnt(&env, p).await?, "nullifier not burnt");
    }
    ensure!(created() == 1, "the 10-slot buffer was reused");
    let reused10 = Spend {
        total: spent,
        locked: 10 * nullifier_rent,
    };
    ensure!(
        reused10.fees() == 5_000 * (4 + 1),
        "round 2 fees {} lamports",
        reused10.fees()
    );

    // 3. Sixteen: a 16-slot buffer created, then sixteen more reusing it.
    let sixteen = round(&prover.keys, &merchant, 200, 16)?;
    let before = balance().await?;
    let answers = settle_all(sixteen.iter().map(|(b, _)| b.clone()).collect()).await;
    let spent = before - balance().await?;
    let sig = one_signature(&answers, 16)?;
    let tx = landed(&env.program, &Signature::from_str(&sig)?).await?;
    record_cu(
        "facilitator: verify_batch_from_buffer (16 proofs)",
        tx.compute_units,
    );
    let new16 = Spend {
        total: spent,
        locked: 16 * nullifier_rent + buffer_rent(16).await?,
    };
    ensure!(created() == 2, "a 16-slot buffer created");
    let sixteen = round(&prover.keys, &merchant, 300, 16)?;
    let before = balance().await?;
    let answers = settle_all(sixteen.iter().map(|(b, _)| b.clone()).collect()).await;
    let spent = before - balance().await?;
    one_signature(&answers, 16)?;
    for (_, p) in &sixteen {
        ensure!(burnt(&env, p).await?, "nullifier not burnt");
    }
    ensure!(created() == 2, "the 16-slot buffer was reused");
    let reused16 = Spend {
        total: spent,
        locked: 16 * nullifier_rent,
    };
    // 16 payments: 6 writes of three (the last of one), 1 verify.
    ensure!(
        reused16.fees() == 5_000 * (6 + 1),
        "reused 16 fees {} lamports",
        reused16.fees()
    );

    // 4. One payment alone (the window passes with nobody else): a verify_payment.
    let one = round(&prover.keys, &merchant, 400, 1)?;
    let before = balance().await?;
    let answers = settle_all(vec![one[0].0.clone()]).await;
    let spent = before - balance().await?;
    one_signature(&answers, 1)?;
    let single = Spend {
        total: spent,
        locked: nullifier_rent,
    };

    record_lamports(
        "facilitator: nullifier rent per payment (locked until swept)",
        nullifier_rent,
    );
    record_lamports(
        "facilitator: single verify_payment, fees per payment",
        single.fees(),
    );
    record_lamports(
        "facilitator: buffer batch of 16 (buffer reused), fees per payment",
        reused16.fees() / 16,
    );
    record_lamports(
        "facilitator: buffer batch of 16 (buffer created), fees per payment",
        new16.fees() / 16,
    );
    record_lamports(
        "facilitator: buffer batch of 10 (buffer reused), fees per payment",
        reused10.fees() / 10,
    );
    record_lamports(
        "facilitator: proof buffer of 16 slots, rent (kept, reusable)",
        buffer_rent(16).await?,
    );
    record_lamports(
        "facilitator: proof buffer of 10 slots, rent (kept, reusable)",
        buffer_rent(10).await?,
    );
    println!(
        "lamports per payment: single {} fees + {} rent; buffer batch of 16 (reused) {} fees + {} rent",
        single.fees(),
        nullifier_rent,
        reused16.fees() / 16,
        nullifier_rent
    );
    ensure!(
        state
            .metrics
            .total("facilitator_proof_buffer_rent_lamports_total")
            == buffer_rent(10).await? + buffer_rent(16).await?
    );
    Ok(())
}

/// Every answer succeeded, `n` of them, all with one transaction signature: returned.
fn one_signature(answers: &[Value], n: usize) -> Result<String> {
    ensure!(answers.len() == n, "{} answers, not {n}", answers.len());
    for a in answers {
        ensure!(a["success"] == json!(true), "a payment did not settle: {a}");
    }
    let sig = answers[0]["transaction"]
        .as_str()
        .context("no transaction")?
        .to_string();
    ensure!(
        answers.iter().all(|a| a["transaction"] == json!(sig)),
        "not one transaction: {answers:?}"
    );
    Ok(sig)
}
