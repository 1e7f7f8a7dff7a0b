//! snarkjs (0.7.x) JSON: `verification_key.json`, `proof.json`, `public.json`. Decimal strings, projective
//! coordinates with z = "1", G2 elements as `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`.

use ark_bn254::{Bn254, Fq, G1Affine, G2Affine};
use ark_ff::PrimeField;
use ark_groth16::{Proof, VerifyingKey};
use num_bigint::BigUint;
use serde_json::{json, Value};

fn dec(f: &Fq) -> String {
    BigUint::from(f.into_bigint()).to_string()
}

/// G1 as `[x, y, "1"]` (identity as `["0", "1", "0"]`).
pub fn g1(p: &G1Affine) -> Value {
    if ark_ec::AffineRepr::is_zero(p) {
        return json!(["0", "1", "0"]);
    }
    json!([dec(&p.x), dec(&p.y), "1"])
}

/// G2 as `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`.
pub fn g2(p: &G2Affine) -> Value {
    if ark_ec::AffineRepr::is_zero(p) {
        return json!([["0", "0"], ["1", "0"], ["0", "0"]]);
    }
    json!([
        [dec(&p.x.c0), dec(&p.x.c1)],
        [dec(&p.y.c0), dec(&p.y.c1)],
        ["1", "0"]
    ])
}

/// `verification_key.json`.
pub fn vk_json(vk: &VerifyingKey<Bn254>) -> Value {
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len() - 1,
        "vk_alpha_1": g1(&vk.alpha_g1),
        "vk_beta_2": g2(&vk.beta_g2),
        "vk_gamma_2": g2(&vk.gamma_g2),
        "vk_delta_2": g2(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1).collect::<Vec<_>>(),
    })
}

/// `proof.json`.
pub fn proof_json(p: &Proof<Bn254>) -> Value {
    json!({
        "pi_a": g1(&p.a),
        "pi_b": g2(&p.b),
        "pi_c": g1(&p.c),
        "protocol": "groth16",
        "curve": "bn128",
    })
}
