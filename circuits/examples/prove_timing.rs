//! Times whole receipt proofs with the prepared prover in one process, for interleaved A/B runs of two
//! builds (`scripts/ab-prove.sh`; criterion's per-build runs are minutes apart, and this host's speed
//! drifts more than most steps are worth). Deterministic dev keys and `example_witness(1)`, as the
//! criterion bench; `RAYON_NUM_THREADS` sets the threads. Prints one JSON line: each proof's ms,
//! their median and minimum.
//!   cargo run --release -p x402-zk-circuits --example prove_timing -- [proofs=15] [tables|free]
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::time::Instant;
use x402_zk_circuits::{groth16, receipt::example_witness, ProvingKeys};

fn main() {
    let mut args = std::env::args().skip(1);
    let proofs: usize = args
        .next()
        .map_or(15, |a| a.parse().expect("proofs: a number"));
    let tables = match args.next().as_deref() {
        None | Some("tables") => true,
        Some("free") => false,
        Some(other) => panic!("the second argument is `tables` or `free`, not {other:?}"),
    };
    let mut rng = StdRng::seed_from_u64(1);
    let keys = ProvingKeys::dev_setup(&mut rng).expect("dev keys");
    let (_, w) = example_witness(1);
    if tables {
        keys.prepare().expect("prepared prover");
    }
    let prove = |rng: &mut StdRng| {
        if tables {
            groth16::prove(&keys, &w, rng).expect("prove")
        } else {
            groth16::prove_without_tables(&keys, &w, rng).expect("prove")
        }
    };
    prove(&mut rng); // warm-up (and the table-free path's matrices)
    let mut ms: Vec<f64> = (0..proofs)
        .map(|_| {
            let t = Instant::now();
            prove(&mut rng);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let each = ms
        .iter()
        .map(|x| format!("{x:.1}"))
        .collect::<Vec<_>>()
        .join(",");
    ms.sort_by(f64::total_cmp);
    println!(
        "{{\"threads\":{},\"tables\":{tables},\"ms\":[{each}],\"median_ms\":{:.1},\"min_ms\":{:.1}}}",
        rayon::current_num_threads(),
        ms[ms.len() / 2],
        ms[0]
    );
}
