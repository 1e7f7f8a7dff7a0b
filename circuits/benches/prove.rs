//! Receipt proving: the whole proof (ark-groth16's prover vs the prepared prover, 2 threads and 1) and each
//! MSM technique on its own (issue #17), plus verification and synthesis.
//! Run: `cargo bench --workspace --bench prove -- FILTER` (FILTER e.g. `receipt/`, `msm/`).
use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{PrimeField, UniformRand};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use x402_zk_circuits::msm::prover::{PreparedProver, H_WINDOW_BITS, WITNESS_WINDOW_BITS};
use x402_zk_circuits::msm::{FixedBaseMsm, MsmOptions};
use x402_zk_circuits::{circuit, groth16, receipt::example_witness, ProvingKeys, ReceiptCircuit};

fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
}

/// The techniques, cumulatively: tables (unsigned digits, Jacobian buckets), + signed digits, + batch-affine
/// accumulation, + threads.
const STEPS: [(&str, MsmOptions); 4] = [
    (
        "tables",
        MsmOptions {
            signed: false,
            batch_affine: false,
            parallel: false,
        },
    ),
    (
        "tables+signed",
        MsmOptions {
            signed: true,
            batch_affine: false,
            parallel: false,
        },
    ),
    (
        "tables+signed+batch_affine",
        MsmOptions {
            signed: true,
            batch_affine: true,
            parallel: false,
        },
    ),
    ("tables+signed+batch_affine+parallel", MsmOptions::FAST),
];

fn bench_receipt(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let keys = ProvingKeys::dev_setup(&mut rng).expect("setup");
    let (_, w) = example_witness(1);
    eprintln!(
        "receipt circuit constraints: {}",
        circuit::constraint_count()
    );
    let t = std::time::Instant::now();
    keys.prepare().expect("prepare");
    eprintln!(
        "prepared prover built in {:?}: {:?}",
        t.elapsed(),
        keys.prepared().expect("prepared")
    );
    let single = one_thread();
    let mut g = c.benchmark_group("receipt");
    g.sample_size(20);
    g.bench_function("prove", |b| {
        b.iter(|| groth16::prove(&keys, &w, &mut rng).expect("prove"))
    });
    // The proving step alone from a precomputed full assignment, as snarkjs is timed on a `.wtns`
    // (the ≥ 10× comparison); `prove` above also checks the receipt natively and synthesizes.
    let prepared = keys.prepared().expect("prepared");
    let full = prepared.witness(ReceiptCircuit::new(&w)).expect("witness");
    g.bench_function("prove_witness_precomputed", |b| {
        b.iter(|| {
            prepared
                .prove_assignment(&keys.pk, &full, &mut rng)
                .expect("prove")
        })
    });
    g.bench_function("prove_1thread", |b| {
        b.iter(|| single.install(|| groth16::prove(&keys, &w, &mut rng).expect("prove")))
    });
    g.bench_function("prove_ark_groth16", |b| {
        b.iter(|| groth16::prove_reference(&keys, &w, &mut rng).expect("prove"))
    });
    g.bench_function("prove_ark_groth16_1thread", |b| {
        b.iter(|| single.install(|| groth16::prove_reference(&keys, &w, &mut rng).expect("prove")))
    });
    g.bench_function("prove_without_tables_1thread", |b| {
        b.iter(|| {
            single.install(|| groth16::prove_without_tables(&keys, &w, &mut rng).expect("prove"))
        })
    });
    let bundle = groth16::prove(&keys, &w, &mut rng).expect("prove");
    g.bench_function("verify", |b| {
        b.iter(|| {
            groth16::verify(&keys.verifier, &w.public, &bundle.nullifier, &bundle.proof)
                .expect("verify")
        })
    });
    g.bench_function("synthesize", |b| {
        b.iter(|| circuit::is_satisfied(&circuit::Assignment::from(&w)).expect("synth"))
    });
    g.bench_function("witness", |b| {
        b.iter(|| prepared.witness(ReceiptCircuit::new(&w)).expect("witness"))
    });
    g.finish();

    // Per-technique MSM rows on the proving key's own bases: G2 B query and G1 A query with a real
    // witness, G1 H query with random full-size scalars (as h is).
    let assignment = &full[1..];
    let random: Vec<Fr> = (0..keys.pk.h_query.len())
        .map(|_| Fr::rand(&mut rng))
        .collect();
    let mut g = c.benchmark_group("msm");
    g.sample_size(10);
    let g2_bases = &keys.pk.b_g2_query[1..];
    let g2 = FixedBaseMsm::new(g2_bases, WITNESS_WINDOW_BITS);
    let g1_bases = &keys.pk.a_query[1..];
    let g1 = FixedBaseMsm::new(g1_bases, WITNESS_WINDOW_BITS);
    let h = FixedBaseMsm::new(&keys.pk.h_query, H_WINDOW_BITS);
    g.bench_function("g2_b_witness/ark_ec_1thread", |b| {
        b.iter(|| single.install(|| G2Projective::msm(g2_bases, assignment).expect("msm")))
    });
    g.bench_function("g2_b_witness/ark_ec_parallel", |b| {
        b.iter(|| G2Projective::msm(g2_bases, assignment).expect("msm"))
    });
    g.bench_function("g2_b_random/ark_ec_1thread", |b| {
        b.iter(|| single.install(|| G2Projective::msm(g2_bases, &random[..g2_bases.len()])))
    });
    g.bench_function("g1_a_witness/ark_ec_1thread", |b| {
        b.iter(|| single.install(|| G1Projective::msm(g1_bases, assignment).expect("msm")))
    });
    g.bench_function("g1_h_random/ark_ec_1thread", |b| {
        b.iter(|| single.install(|| G1Projective::msm(&keys.pk.h_query, &random)))
    });
    g.bench_function("g1_h_random/ark_ec_parallel", |b| {
        b.iter(|| G1Projective::msm(&keys.pk.h_query, &random))
    });
    for (name, opts) in STEPS {
        g.bench_function(format!("g2_b_witness/{name}"), |b| {
            b.iter(|| g2.msm_with(assignment, opts))
        });
        g.bench_function(format!("g2_b_random/{name}"), |b| {
            b.iter(|| g2.msm_with(&random[..g2_bases.len()], opts))
        });
        g.bench_function(format!("g1_a_witness/{name}"), |b| {
            b.iter(|| g1.msm_with(assignment, opts))
        });
        g.bench_function(format!("g1_h_random/{name}"), |b| {
            b.iter(|| h.msm_with(&random, opts))
        });
    }
    // Window width, one thread as in the prover's jobs: the joint H and L MSM (random h, then the
    // witness) and the G2 B query (the witness), all techniques on.
    let hl_bases = [&keys.pk.h_query[..], &keys.pk.l_query[..]].concat();
    let aux = &assignment[assignment.len() - keys.pk.l_query.len()..];
    let hl_scalars: Vec<_> = random.iter().chain(aux).map(|x| x.into_bigint()).collect();
    let g2_scalars: Vec<_> = assignment.iter().map(|x| x.into_bigint()).collect();
    for bits in 12u32..=16 {
        let hl = FixedBaseMsm::new(&hl_bases, bits);
        g.bench_with_input(
            BenchmarkId::new("g1_hl_joint/window", bits),
            &bits,
            |b, _| b.iter(|| hl.msm_bigint_with(&hl_scalars, MsmOptions::SERIAL)),
        );
        let g2 = FixedBaseMsm::new(g2_bases, bits);
        g.bench_with_input(
            BenchmarkId::new("g2_b_witness/window", bits),
            &bits,
            |b, _| b.iter(|| g2.msm_bigint_with(&g2_scalars, MsmOptions::SERIAL)),
        );
    }
    g.finish();

    let mut g = c.benchmark_group("prepare");
    g.sample_size(10);
    g.bench_function("prepared_prover", |b| {
        b.iter(|| PreparedProver::new(&keys.pk, ReceiptCircuit::blank()).expect("prepare"))
    });
    g.finish();
}

criterion_group!(benches, bench_receipt);
criterion_main!(benches);
