//! iden3 binary formats (`.r1cs` v1, `.wtns` v2), so snarkjs can set up and prove *this* circuit from a
//! witness we compute: the like-for-like proving-time comparison of issue #17 (`scripts/bench-prove.sh`)
//! and an independent satisfiability check (`snarkjs wtns check`, `circuits/ceremony/tests/snarkjs_interop.rs`).
//!
//! Layout (iden3 `r1csfile` / `wtnsfile`): a 4-byte magic, `u32` version, `u32` section count, then per
//! section `u32` type, `u64` byte size, body. Integers little-endian; field elements `n8 = 32` bytes,
//! little-endian, in normal (not Montgomery) form. Wire 0 is the constant `1`, then the public inputs,
//! then the private wires — the same order as arkworks' `1 ‖ instance ‖ witness`, so wire `i` is
//! variable `i` and the label map is the identity.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use std::collections::BTreeMap;

const N8: u32 = 32;

fn field_bytes(out: &mut Vec<u8>, x: &Fr) {
    out.extend_from_slice(&x.into_bigint().to_bytes_le());
}

fn prime_bytes(out: &mut Vec<u8>) {
    out.extend_from_slice(&Fr::MODULUS.to_bytes_le());
}

fn section(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
}

fn file(magic: &[u8; 4], version: u32, sections: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(12 + sections.iter().map(|(_, b)| 12 + b.len()).sum::<usize>());
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    for (kind, body) in sections {
        section(&mut out, *kind, body);
    }
    out
}

/// A `.r1cs` file (v1: header, constraints, wire-to-label map) for a constraint system with
/// `num_instance` public variables (including the constant `1`), `num_witness` private ones and the
/// `A`, `B`, `C` rows of `matrices` (`(coefficient, variable)` per term, public variables first).
pub fn r1cs_file(
    num_instance: usize,
    num_witness: usize,
    matrices: &[Vec<Vec<(Fr, usize)>>],
) -> Vec<u8> {
    assert_eq!(matrices.len(), 3, "R1CS has three matrices");
    let wires = num_instance + num_witness;
    let rows = matrices[0].len();
    let mut header = Vec::new();
    header.extend_from_slice(&N8.to_le_bytes());
    prime_bytes(&mut header);
    header.extend_from_slice(&(wires as u32).to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes()); // public outputs
    header.extend_from_slice(&((num_instance - 1) as u32).to_le_bytes()); // public inputs
    header.extend_from_slice(&0u32.to_le_bytes()); // private inputs (all private wires are internal)
    header.extend_from_slice(&(wires as u64).to_le_bytes()); // labels
    header.extend_from_slice(&(rows as u32).to_le_bytes());

    let mut constraints = Vec::new();
    for j in 0..rows {
        for m in matrices {
            // One term per wire, sorted (as circom writes them): snarkjs keeps the last coefficient it
            // reads for a wire, so repeated wires are summed here.
            let mut terms = BTreeMap::<usize, Fr>::new();
            for (c, i) in &m[j] {
                *terms.entry(*i).or_default() += c;
            }
            constraints.extend_from_slice(&(terms.len() as u32).to_le_bytes());
            for (i, c) in terms {
                constraints.extend_from_slice(&(i as u32).to_le_bytes());
                field_bytes(&mut constraints, &c);
            }
        }
    }

    let labels: Vec<u8> = (0..wires as u64).flat_map(u64::to_le_bytes).collect();
    file(b"r1cs", 1, &[(1, header), (2, constraints), (3, labels)])
}

/// A `.wtns` file (v2) holding a full assignment `1 ‖ public inputs ‖ private wires`.
pub fn wtns_file(assignment: &[Fr]) -> Vec<u8> {
    let mut header = Vec::new();
    header.extend_from_slice(&N8.to_le_bytes());
    prime_bytes(&mut header);
    header.extend_from_slice(&(assignment.len() as u32).to_le_bytes());
    let mut values = Vec::with_capacity(assignment.len() * N8 as usize);
    for x in assignment {
        field_bytes(&mut values, x);
    }
    file(b"wtns", 2, &[(1, header), (2, values)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wtns_layout() {
        let f = wtns_file(&[Fr::from(1u64), Fr::from(258u64)]);
        assert_eq!(&f[..4], b"wtns");
        assert_eq!(u32::from_le_bytes(f[4..8].try_into().unwrap()), 2);
        assert_eq!(u32::from_le_bytes(f[8..12].try_into().unwrap()), 2);
        // section 1: type, size 40, n8, prime, count
        assert_eq!(u32::from_le_bytes(f[12..16].try_into().unwrap()), 1);
        assert_eq!(u64::from_le_bytes(f[16..24].try_into().unwrap()), 40);
        assert_eq!(u32::from_le_bytes(f[24..28].try_into().unwrap()), 32);
        assert_eq!(f[28..60], Fr::MODULUS.to_bytes_le()[..]);
        assert_eq!(u32::from_le_bytes(f[60..64].try_into().unwrap()), 2);
        // section 2: two values, normal form, little-endian
        assert_eq!(u64::from_le_bytes(f[68..76].try_into().unwrap()), 64);
        assert_eq!(f[76], 1);
        assert_eq!(&f[108..110], &[2, 1]);
        assert_eq!(f.len(), 76 + 64);
    }

    #[test]
    fn r1cs_sorts_terms_and_counts() {
        // One constraint (x0 + x2 + x2) · x1 = x2 over 1 public (the constant) and 2 private wires.
        let m = [
            vec![vec![
                (Fr::from(1u64), 2),
                (Fr::from(1u64), 0),
                (Fr::from(1u64), 2),
            ]],
            vec![vec![(Fr::from(1u64), 1)]],
            vec![vec![(Fr::from(1u64), 2)]],
        ];
        let f = r1cs_file(1, 2, &m);
        assert_eq!(&f[..4], b"r1cs");
        let header_len = u64::from_le_bytes(f[16..24].try_into().unwrap()) as usize;
        assert_eq!(header_len, 4 + 32 + 4 * 4 + 8 + 4);
        let h = &f[24..24 + header_len];
        assert_eq!(u32::from_le_bytes(h[36..40].try_into().unwrap()), 3); // wires
        assert_eq!(u32::from_le_bytes(h[44..48].try_into().unwrap()), 0); // public inputs
        let c = &f[24 + header_len + 12..];
        assert_eq!(u32::from_le_bytes(c[0..4].try_into().unwrap()), 2); // A: two wires, x2 summed
        assert_eq!(u32::from_le_bytes(c[4..8].try_into().unwrap()), 0); // sorted: wire 0 first
        assert_eq!(u32::from_le_bytes(c[40..44].try_into().unwrap()), 2);
        assert_eq!(c[44], 2); // 1 + 1
    }
}
