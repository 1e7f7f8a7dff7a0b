//! One receipt proof with keys preloaded (no per-proof key preparation), plus synthesis alone.
//! Run: `cargo bench -p x402-zk-circuits --bench prove`.
use ark_std::rand::{rngs::StdRng, SeedableRng};
use criterion::{criterion_group, criterion_main, Criterion};
use x402_zk_circuits::{circuit, groth16, receipt::example_witness, ProvingKeys};

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let keys = ProvingKeys::dev_setup(&mut rng).expect("setup");
    let (_, w) = example_witness(1);
    eprintln!(
        "receipt circuit constraints: {}",
        circuit::constraint_count()
    );
    let mut g = c.benchmark_group("receipt");
    g.sample_size(30);
    g.bench_function("prove", |b| {
        b.iter(|| groth16::prove(&keys, &w, &mut rng).expect("prove"))
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
