//! Property test: random and mutated instruction payloads never panic the program; every failure
//! is a typed error (an `Error Code:` log from Anchor or the program).
use proptest::prelude::*;
use x402_zk_litesvm_tests::{
    fixture, merchant, payment_bytes, register_policy_args, AccountMeta, Harness, Instruction,
};

const NAMES: [&str; 18] = [
    "initialize_config",
    "sync_nullifier_rent",
    "set_paused",
    "set_attester",
    "set_max_clock_skew",
    "set_verifying_key",
    "verify_payment",
    "verify_batch",
    "check_batch",
    "verify_batch_from_buffer",
    "init_proof_buffer",
    "write_proof_buffer",
    "close_proof_buffer",
    "set_max_receipt_age",
    "close_expired_nullifiers",
    "verify_payment",
    "register_policy",
    "close_policy",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Extend(Vec<u8>),
    Overwrite(usize, Vec<u8>),
    Random(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0usize..800, 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (0usize..800).prop_map(Mutation::Truncate),
        proptest::collection::vec(any::<u8>(), 1..64).prop_map(Mutation::Extend),
        (0usize..800, proptest::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(i, v)| Mutation::Overwrite(i, v)),
        proptest::collection::vec(any::<u8>(), 0..700).prop_map(Mutation::Random),
    ]
}

fn apply(mut data: Vec<u8>, m: &Mutation) -> Vec<u8> {
    match m {
        Mutation::Flip(i, b) => {
            if !data.is_empty() {
                let k = i % data.len();
                data[k] ^= b;
            }
        }
        Mutation::Truncate(i) => data.truncate(i % (data.len() + 1)),
        Mutation::Extend(v) => data.extend_from_slice(v),
        Mutation::Overwrite(i, v) => {
            if !data.is_empty() {
                let start = i % data.len();
                for (k, b) in v.iter().enumerate() {
                    if let Some(x) = data.get_mut(start + k) {
                        *x = *b;
                    }
                }
            }
        }
        Mutation::Random(v) => return v.clone(),
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_200, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn mutated_payloads_never_panic(which in 0usize..NAMES.len(), keep_disc in any::<bool>(), m in mutation(), twice in any::<bool>()) {
        thread_local! {
            static H: std::cell::RefCell<Option<(Harness, x402_zk_litesvm_tests::proofs::PaymentFixture, x402_zk_litesvm_tests::proofs::PaymentFixture)>> = const { std::cell::RefCell::new(None) };
        }
        H.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                *slot = Some((Harness::with_config(60), fixture(500), fixture(501)));
            }
            let (h, f, g) = slot.as_mut().expect("harness");
            let name = NAMES[which];
            let disc = h.discriminator(name);
            // A well-formed payload for the instruction, then mutated.
            let mut body = Vec::new();
            match name {
                "verify_payment" => body.extend(payment_bytes(f)),
                "register_policy" => body.extend(register_policy_args(&merchant(), f)),
                "verify_batch" | "check_batch" => {
                    body.extend_from_slice(&2u32.to_le_bytes());
                    body.extend(payment_bytes(f));
                    body.extend(payment_bytes(g));
                }
                "set_attester" => body.extend_from_slice(&[5u8; 64]),
                "write_proof_buffer" => { body.extend_from_slice(&0u32.to_le_bytes()); body.extend_from_slice(&1u32.to_le_bytes()); body.extend(payment_bytes(g)); }
                "set_max_clock_skew" => body.extend_from_slice(&60u32.to_le_bytes()),
                "set_max_receipt_age" => body.extend_from_slice(&3_600u32.to_le_bytes()),
                "set_verifying_key" => body.extend_from_slice(&[0u8; 32]),
                "set_paused" => body.push(0),
                _ => {}
            }
            let mut full = disc.clone();
            full.extend(body);
            let mut data = apply(full, &m);
            if keep_disc && data.len() >= 8 {
                data[..8].copy_from_slice(&disc);
            }
            let pda_f = h.nullifier_pda(&f.nullifier);
            let pda_g = h.nullifier_pda(&g.nullifier);
            let accounts = vec![
                AccountMeta::new(h.payer_address(), true),
                AccountMeta::new(h.config_pda(), false),
                AccountMeta::new_readonly(merchant(), false),
                AccountMeta::new(pda_f, false),
                AccountMeta::new_readonly(x402_zk_litesvm_tests::SYSTEM_PROGRAM.parse().expect("id"), false),
                AccountMeta::new(pda_g, false),
            ];
            let ix = Instruction::new_with_bytes(h.program_id, &data, accounts);
            let n = if twice { 2 } else { 1 };
            for _ in 0..n {
                let out = h.send_ixs(vec![ix.clone()], &[]);
                prop_assert!(out.logs.iter().all(|l| !l.contains("panicked")), "panic on {name}: {:#?}", out.logs);
                if !out.ok {
                    prop_assert!(out.error_code().is_some(), "untyped failure on {name} {:?}: {:#?}", m, out.logs);
                }
            }
            Ok(())
        })?;
    }
}
