//! circomlibjs-generated vectors (circuits/js/gen-eddsa-vectors.js): EdDSA-Poseidon signatures verify natively
//! and in-circuit, our key derivation and signing reproduce them byte for byte, mutated ones fail, and Poseidon
//! agrees for the arities the protocol uses.

use ark_bn254::Fr;
use ark_relations::gr1cs::ConstraintSystem;
use serde::Deserialize;
use x402_zk_circuits::{
    babyjubjub::{Point, PointVar},
    eddsa::{self, Attester, Signature, SignatureVar},
    field::fr_from_str_checked,
    poseidon,
    r1cs::Num,
};

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct EddsaVector {
    privateKey: String,
    Ax: String,
    Ay: String,
    msg: String,
    R8x: String,
    R8y: String,
    S: String,
}

#[derive(Deserialize)]
struct PoseidonVector {
    inputs: Vec<String>,
    output: String,
}

#[derive(Deserialize)]
struct Doc {
    eddsa: Vec<EddsaVector>,
    poseidon: Vec<PoseidonVector>,
}

fn f(s: &str) -> Fr {
    fr_from_str_checked(s, "vector").unwrap()
}

fn in_circuit(a: &Point, m: &Fr, sig: &Signature) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let av = PointVar::witness_on_curve(&cs, Some(*a)).unwrap();
    let mv = Num::witness(&cs, Some(*m)).unwrap();
    let sv = SignatureVar::witness(&cs, Some(*sig)).unwrap();
    eddsa::verify_gadget(&cs, &av, &mv, &sv).unwrap();
    cs.is_satisfied().unwrap()
}

#[test]
fn circomlibjs_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/eddsa-circomlibjs.json"
    );
    let doc: Doc = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(doc.eddsa.len() >= 8);
    for v in &doc.eddsa {
        let a = Point::new_checked(f(&v.Ax), f(&v.Ay), "A").unwrap();
        let m = f(&v.msg);
        let sig = Signature {
            r8: Point::new_checked(f(&v.R8x), f(&v.R8y), "R8").unwrap(),
            s: f(&v.S),
        };
        eddsa::verify(&a, &m, &sig).unwrap();
        assert!(in_circuit(&a, &m, &sig));
        // Key derivation and deterministic signing match circomlibjs exactly.
        let sk: [u8; 32] = hex::decode(&v.privateKey).unwrap().try_into().unwrap();
        let att = Attester::from_secret(sk);
        assert_eq!(att.public(), a, "prv2pub mismatch");
        assert_eq!(att.sign(&m), sig, "signPoseidon mismatch");
        // Mutations fail.
        let m2 = m + Fr::from(1u64);
        assert!(eddsa::verify(&a, &m2, &sig).is_err());
        assert!(!in_circuit(&a, &m2, &sig));
        let bad = Signature {
            s: sig.s + Fr::from(1u64),
            ..sig
        };
        assert!(eddsa::verify(&a, &m, &bad).is_err());
        assert!(!in_circuit(&a, &m, &bad));
        let bad = Signature {
            r8: sig.r8.neg(),
            ..sig
        };
        assert!(eddsa::verify(&a, &m, &bad).is_err());
        assert!(!in_circuit(&a, &m, &bad));
    }
    for v in &doc.poseidon {
        let ins: Vec<Fr> = v.inputs.iter().map(|s| f(s)).collect();
        assert_eq!(
            poseidon::hash(&ins).unwrap(),
            f(&v.output),
            "poseidon({})",
            ins.len()
        );
    }
}
