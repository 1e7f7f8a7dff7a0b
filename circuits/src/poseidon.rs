//! circomlib Poseidon (BN254, x^5), natively and as a gadget.
//!
//! Native: light-poseidon's hasher with its circom parameters (`Poseidon::<Fr>::new_circom(n)`) — the same function
//! as circomlib's `Poseidon(n)`, circomlibjs `poseidon` and Solana's `sol_poseidon` syscall (`Bn254X5`,
//! big-endian). Gadget: the same permutation with the same round constants and MDS matrix, so they are
//! bit-identical. Cost: 3 constraints per S-box, i.e. `3 * (8 * t + R_P)` for `t = n + 1`.
//!
//! The parameters are light-poseidon's, re-encoded as static data by `build.rs` (light-poseidon builds them in
//! code: ~1.6 MB of WebAssembly, and a conversion of every constant on each hash); a test checks every width.
//!
//! The partial rounds are synthesised from a precomputed plan: every partial-round S-box input and the state after
//! the partial rounds are fixed linear combinations of the last full-round S-box outputs, the partial S-box outputs
//! and the constant 1. Those coefficient rows depend only on `t`, are computed once per process, and make
//! per-proof synthesis linear in the number of partial rounds instead of `t^2` times it.

use crate::error::{Error, Result};
use crate::r1cs::{Cs, Num, R};
use ark_bn254::Fr;
use ark_ff::BigInt;
use ark_ff::Zero;
use light_poseidon::{Poseidon, PoseidonHasher, PoseidonParameters};
use std::sync::OnceLock;

/// One width's parameters as static data.
struct RawParams {
    ark: &'static [Fr],
    mds: &'static [Fr],
    full_rounds: usize,
    partial_rounds: usize,
    alpha: u64,
}

include!(concat!(env!("OUT_DIR"), "/poseidon_params.rs"));

/// light-poseidon's circom parameters for width `t` (2..=13), as `new_circom(t - 1)` uses them.
fn parameters(t: usize) -> Option<PoseidonParameters<Fr>> {
    let p = raw_params(t)?;
    Some(PoseidonParameters::new(
        p.ark.to_vec(),
        p.mds.chunks(t).map(|row| row.to_vec()).collect(),
        p.full_rounds,
        p.partial_rounds,
        t,
        p.alpha,
    ))
}

/// Largest arity supported (light-poseidon, circomlib and the syscall all accept up to 12 inputs).
pub const MAX_INPUTS: usize = 12;

/// Native circomlib Poseidon of `inputs` (1..=12 field elements).
pub fn hash(inputs: &[Fr]) -> Result<Fr> {
    if inputs.is_empty() || inputs.len() > MAX_INPUTS {
        return Err(Error::Poseidon(format!(
            "arity {} not in 1..=12",
            inputs.len()
        )));
    }
    // Native builds carry every width; wasm32 only the statement's (see build.rs).
    let params = parameters(inputs.len() + 1).ok_or_else(|| {
        Error::Poseidon(format!("arity {} not built for this target", inputs.len()))
    })?;
    Poseidon::<Fr>::new(params)
        .hash(inputs)
        .map_err(|e| Error::Poseidon(e.to_string()))
}

/// Precomputed constants for one width `t`.
struct Plan {
    t: usize,
    full_rounds: usize,
    partial_rounds: usize,
    ark: Vec<Fr>,
    mds: Vec<Vec<Fr>>,
    /// Partial-round S-box inputs over the basis `[1, x_0..x_{t-1}, y_0..y_{R_P-1}]`.
    partial_in: Vec<Vec<Fr>>,
    /// State after the last partial round's MDS, over the same basis.
    partial_out: Vec<Vec<Fr>>,
}

fn build_plan(t: usize) -> Plan {
    let p = parameters(t).expect("supported width");
    let (rf, rp) = (p.full_rounds, p.partial_rounds);
    let half = rf / 2;
    let width = 1 + t + rp;
    let unit = |i: usize| {
        let mut v = vec![Fr::zero(); width];
        v[i] = Fr::from(1u64);
        v
    };
    let mix = |s: &Vec<Vec<Fr>>, used: usize| -> Vec<Vec<Fr>> {
        (0..t)
            .map(|i| {
                let mut row = vec![Fr::zero(); width];
                for (j, sj) in s.iter().enumerate() {
                    let m = p.mds[i][j];
                    for k in 0..used {
                        row[k] += m * sj[k];
                    }
                }
                row
            })
            .collect()
    };
    let mut s: Vec<Vec<Fr>> = (0..t).map(|i| unit(1 + i)).collect();
    s = mix(&s, 1 + t);
    let mut partial_in = Vec::with_capacity(rp);
    for r in 0..rp {
        let round = half + r;
        for (i, row) in s.iter_mut().enumerate() {
            row[0] += p.ark[round * t + i];
        }
        partial_in.push(s[0].clone());
        s[0] = unit(1 + t + r);
        s = mix(&s, 1 + t + r + 1);
    }
    Plan {
        t,
        full_rounds: rf,
        partial_rounds: rp,
        ark: p.ark,
        mds: p.mds,
        partial_in,
        partial_out: s,
    }
}

fn plan(t: usize) -> &'static Plan {
    static PLANS: [OnceLock<Plan>; MAX_INPUTS + 2] = [const { OnceLock::new() }; MAX_INPUTS + 2];
    PLANS[t].get_or_init(|| build_plan(t))
}

fn sbox(cs: &Cs, x: &Num) -> R<Num> {
    let x2 = x.square(cs)?;
    let x4 = x2.square(cs)?;
    x4.mul(cs, x)
}

fn from_row(row: &[Fr], basis: &[Num]) -> Num {
    let terms: Vec<(Fr, &Num)> = row
        .iter()
        .zip(basis)
        .filter(|(c, _)| !c.is_zero())
        .map(|(c, b)| (*c, b))
        .collect();
    Num::lin(&terms)
}

/// Poseidon gadget: constrains and returns `Poseidon(inputs)` (circomlib parameters, 1..=12 inputs).
pub fn hash_gadget(cs: &Cs, inputs: &[Num]) -> R<Num> {
    assert!(
        !inputs.is_empty() && inputs.len() <= MAX_INPUTS,
        "poseidon arity"
    );
    let t = inputs.len() + 1;
    let p = plan(t);
    debug_assert_eq!(p.t, t);
    let half = p.full_rounds / 2;
    let mut state: Vec<Num> = std::iter::once(Num::zero())
        .chain(inputs.iter().cloned())
        .collect();
    let mds = |x: &[Num]| -> Vec<Num> {
        (0..t)
            .map(|i| {
                let terms: Vec<(Fr, &Num)> = x
                    .iter()
                    .enumerate()
                    .map(|(j, xj)| (p.mds[i][j], xj))
                    .collect();
                Num::lin(&terms)
            })
            .collect()
    };
    let full_round = |cs: &Cs, state: &[Num], round: usize| -> R<Vec<Num>> {
        state
            .iter()
            .enumerate()
            .map(|(i, s)| sbox(cs, &s.add_const(p.ark[round * t + i])))
            .collect()
    };
    // First half of the full rounds; keep the last S-box outputs as the partial-round basis.
    let mut x = Vec::new();
    for round in 0..half {
        x = full_round(cs, &state, round)?;
        if round + 1 < half {
            state = mds(&x);
        }
    }
    let mut basis: Vec<Num> = Vec::with_capacity(1 + t + p.partial_rounds);
    basis.push(Num::one());
    basis.extend(x);
    for row in &p.partial_in {
        let input = from_row(row, &basis);
        let y = sbox(cs, &input)?;
        basis.push(y);
    }
    state = p
        .partial_out
        .iter()
        .map(|row| from_row(row, &basis))
        .collect();
    for round in half + p.partial_rounds..p.full_rounds + p.partial_rounds {
        let x = full_round(cs, &state, round)?;
        state = mds(&x);
    }
    Ok(state.swap_remove(0))
}

/// Constraint count of one Poseidon gadget of `n` inputs.
pub fn constraint_count(n: usize) -> usize {
    let p = plan(n + 1);
    3 * (p.full_rounds * p.t + p.partial_rounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::ConstraintSystem;
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn gadget_matches_light_poseidon_all_arities() {
        let mut rng = StdRng::seed_from_u64(7);
        for n in 1..=MAX_INPUTS {
            for _ in 0..3 {
                let vals: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
                let native = hash(&vals).unwrap();
                let mut lp = Poseidon::<Fr>::new_circom(n).unwrap();
                assert_eq!(native, lp.hash(&vals).unwrap());
                let cs = ConstraintSystem::<Fr>::new_ref();
                let ins: Vec<Num> = vals
                    .iter()
                    .map(|v| Num::witness(&cs, Some(*v)).unwrap())
                    .collect();
                let out = hash_gadget(&cs, &ins).unwrap();
                assert_eq!(out.val, Some(native), "n = {n}");
                let expected = Num::witness(&cs, Some(native)).unwrap();
                out.enforce_equal(&cs, &expected).unwrap();
                assert!(cs.is_satisfied().unwrap(), "n = {n}");
                assert_eq!(cs.num_constraints(), constraint_count(n) + 1);
                // A wrong claimed output must not satisfy.
                let wrong = Num::witness(&cs, Some(native + Fr::from(1u64))).unwrap();
                out.enforce_equal(&cs, &wrong).unwrap();
                assert!(!cs.is_satisfied().unwrap());
            }
        }
    }

    #[test]
    fn static_parameters_equal_light_poseidons() {
        use light_poseidon::parameters::bn254_x5::get_poseidon_parameters;
        for t in 2..=MAX_INPUTS + 1 {
            let want = get_poseidon_parameters::<Fr>(t as u8).unwrap();
            let have = parameters(t).unwrap();
            assert_eq!(have.ark, want.ark, "t = {t}");
            assert_eq!(have.mds, want.mds, "t = {t}");
            assert_eq!(
                (
                    have.full_rounds,
                    have.partial_rounds,
                    have.width,
                    have.alpha
                ),
                (
                    want.full_rounds,
                    want.partial_rounds,
                    want.width,
                    want.alpha
                ),
                "t = {t}"
            );
        }
        assert!(parameters(1).is_none() && parameters(MAX_INPUTS + 2).is_none());
    }

    #[test]
    fn known_vector() {
        // circomlibjs: poseidon([1, 2])
        let h = hash(&[Fr::from(1u64), Fr::from(2u64)]).unwrap();
        assert_eq!(
            crate::field::fr_to_decimal(&h),
            "7853200120776062878684798364095072458815029376092732009249414926327459813530"
        );
        assert!(hash(&[]).is_err());
        assert!(hash(&[Fr::from(1u64); 13]).is_err());
    }
}
