//! Minimal hand-tuned R1CS layer over `ark-relations` (GR1CS with its R1CS predicate).
//!
//! A [`Num`] is a linear combination with its (optional) value: additions and scalings are free,
//! only products and bit decompositions cost constraints. This keeps the constraint count exact and
//! lets gadgets be written like the native code they mirror. Values are `None` during key setup.

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, BigInteger, Field, One, PrimeField, Zero};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

/// Constraint system over BN254's scalar field.
pub type Cs = ConstraintSystemRef<Fr>;
/// Synthesis result.
pub type R<T> = Result<T, SynthesisError>;

/// A linear combination of circuit variables together with its assigned value (if known).
#[derive(Clone, Debug)]
pub struct Num {
    /// The linear combination.
    pub lc: LinearCombination<Fr>,
    /// Its value; `None` in setup mode.
    pub val: Option<Fr>,
}

fn opt2<F: FnOnce(Fr, Fr) -> Fr>(a: Option<Fr>, b: Option<Fr>, f: F) -> Option<Fr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        _ => None,
    }
}

impl Num {
    /// A constant.
    pub fn constant(c: Fr) -> Self {
        let lc = if c.is_zero() {
            LinearCombination::new()
        } else {
            LinearCombination(vec![(c, Variable::One)])
        };
        Num { lc, val: Some(c) }
    }

    /// Zero.
    pub fn zero() -> Self {
        Self::constant(Fr::zero())
    }

    /// One.
    pub fn one() -> Self {
        Self::constant(Fr::one())
    }

    /// Allocates a private witness variable.
    pub fn witness(cs: &Cs, val: Option<Fr>) -> R<Self> {
        let v = cs.new_witness_variable(|| val.ok_or(SynthesisError::AssignmentMissing))?;
        Ok(Num {
            lc: var_lc(cs, v),
            val,
        })
    }

    /// Allocates a public input variable.
    pub fn input(cs: &Cs, val: Option<Fr>) -> R<Self> {
        let v = cs.new_input_variable(|| val.ok_or(SynthesisError::AssignmentMissing))?;
        Ok(Num {
            lc: var_lc(cs, v),
            val,
        })
    }

    /// `self + other` (free).
    pub fn add(&self, other: &Num) -> Num {
        let mut lc = self.lc.clone();
        lc.0.extend_from_slice(&other.lc.0);
        lc.compactify();
        Num {
            lc,
            val: opt2(self.val, other.val, |a, b| a + b),
        }
    }

    /// `self - other` (free).
    pub fn sub(&self, other: &Num) -> Num {
        let mut lc = self.lc.clone();
        lc.0.extend(other.lc.0.iter().map(|(c, v)| (-*c, *v)));
        lc.compactify();
        Num {
            lc,
            val: opt2(self.val, other.val, |a, b| a - b),
        }
    }

    /// `c * self` (free).
    pub fn scale(&self, c: Fr) -> Num {
        if c.is_zero() {
            return Num::zero();
        }
        Num {
            lc: LinearCombination(self.lc.0.iter().map(|(k, v)| (*k * c, *v)).collect()),
            val: self.val.map(|x| x * c),
        }
    }

    /// `self + c` (free).
    pub fn add_const(&self, c: Fr) -> Num {
        self.add(&Num::constant(c))
    }

    /// Sum of terms `c_i * x_i` (free).
    pub fn lin(terms: &[(Fr, &Num)]) -> Num {
        let mut lc = LinearCombination::new();
        let mut val = Some(Fr::zero());
        for (c, x) in terms {
            if c.is_zero() {
                continue;
            }
            lc.0.extend(x.lc.0.iter().map(|(k, v)| (*k * c, *v)));
            val = opt2(val, x.val, |acc, xv| acc + *c * xv);
        }
        lc.compactify();
        Num { lc, val }
    }

    /// `self * other`: one constraint, one new variable.
    pub fn mul(&self, cs: &Cs, other: &Num) -> R<Num> {
        let out = Num::witness(cs, opt2(self.val, other.val, |a, b| a * b))?;
        enforce(cs, self, other, &out)?;
        Ok(out)
    }

    /// `self * self`.
    pub fn square(&self, cs: &Cs) -> R<Num> {
        self.mul(cs, self)
    }

    /// Allocates `num / den` and enforces `out * den = num` (one constraint). The caller must ensure `den ≠ 0`
    /// for every satisfying assignment (otherwise `out` would be unconstrained).
    pub fn div(num: &Num, cs: &Cs, den: &Num) -> R<Num> {
        let val = match (num.val, den.val) {
            (Some(n), Some(d)) => Some(n * d.inverse().ok_or(SynthesisError::DivisionByZero)?),
            _ => None,
        };
        let out = Num::witness(cs, val)?;
        enforce(cs, &out, den, num)?;
        Ok(out)
    }

    /// Enforces `self == other` (one constraint).
    pub fn enforce_equal(&self, cs: &Cs, other: &Num) -> R<()> {
        enforce(cs, &self.sub(other), &Num::one(), &Num::zero())
    }

    /// Enforces `self != 0` (one constraint, via an inverse witness).
    pub fn enforce_nonzero(&self, cs: &Cs) -> R<()> {
        let inv = Num::witness(cs, self.val.map(|v| v.inverse().unwrap_or(Fr::zero())))?;
        enforce(cs, self, &inv, &Num::one())
    }
}

/// The linear combination of a new variable: `1·v`, or empty when `cs` builds no matrices (witness
/// synthesis for a prover with cached matrices, `msm::prover::full_assignment`). There the system
/// records no constraint, so every linear combination the gadgets would build (and clone, and sort)
/// is dropped unread; without them a [`Num`] is just its value and synthesis costs the arithmetic.
/// Gadgets never branch on a linear combination's shape, so the variables allocated (the assignment)
/// are the same either way (`tests/prove_fast.rs` compares proofs with ark-groth16's, which
/// synthesizes with matrices).
fn var_lc(cs: &Cs, v: Variable) -> LinearCombination<Fr> {
    if cs.should_construct_matrices() {
        LinearCombination(vec![(Fr::one(), v)])
    } else {
        LinearCombination::new()
    }
}

/// Enforces `a * b = c`.
pub fn enforce(cs: &Cs, a: &Num, b: &Num, c: &Num) -> R<()> {
    let (a, b, c) = (a.lc.clone(), b.lc.clone(), c.lc.clone());
    cs.enforce_r1cs_constraint(|| a, || b, || c)
}

/// A boolean: a [`Num`] constrained to 0 or 1.
#[derive(Clone, Debug)]
pub struct Bit(pub Num);

impl Bit {
    /// Allocates a boolean witness (one constraint `b * (1 - b) = 0`).
    pub fn witness(cs: &Cs, val: Option<bool>) -> R<Bit> {
        let n = Num::witness(cs, val.map(Fr::from))?;
        enforce(cs, &n, &Num::one().sub(&n), &Num::zero())?;
        Ok(Bit(n))
    }

    /// A constant bit.
    pub fn constant(b: bool) -> Bit {
        Bit(Num::constant(Fr::from(b)))
    }

    /// `self AND other` (one constraint).
    pub fn and(&self, cs: &Cs, other: &Bit) -> R<Bit> {
        Ok(Bit(self.0.mul(cs, &other.0)?))
    }
}

/// Little-endian bits of a field element's canonical representative.
pub fn fr_bits_le(v: &Fr, n: usize) -> Vec<bool> {
    let b = v.into_bigint().to_bits_le();
    (0..n).map(|i| b.get(i).copied().unwrap_or(false)).collect()
}

/// Decomposes `x` into `n` little-endian bits and enforces `x = Σ b_i 2^i` (n + 1 constraints).
/// For `n < 254` this is a range check `x < 2^n`. For `n = 254` the decomposition is not unique:
/// combine with [`enforce_bits_le_below`] and the modulus to make it strict.
pub fn to_bits_le(cs: &Cs, x: &Num, n: usize) -> R<Vec<Bit>> {
    let vals = x.val.map(|v| fr_bits_le(&v, n));
    let mut bits = Vec::with_capacity(n);
    let mut terms = Vec::with_capacity(n);
    let mut coeff = Fr::one();
    for i in 0..n {
        let b = Bit::witness(cs, vals.as_ref().map(|v| v[i]))?;
        terms.push((coeff, b.0.clone()));
        coeff.double_in_place();
        bits.push(b);
    }
    let refs: Vec<(Fr, &Num)> = terms.iter().map(|(c, n)| (*c, n)).collect();
    Num::lin(&refs).enforce_equal(cs, x)?;
    Ok(bits)
}

/// Range check: `x < 2^n` (n + 1 constraints).
pub fn range_check(cs: &Cs, x: &Num, n: usize) -> R<()> {
    to_bits_le(cs, x, n).map(|_| ())
}

/// Enforces that the integer with little-endian `bits` is strictly below the constant `bound`
/// (given as little-endian bits of at least `bits.len()` length). About one constraint per bit.
///
/// Scans from the most significant bit keeping `eq` = "all higher bits equal those of `bound - 1`":
/// where `bound - 1` has a 0, a set bit while `eq` holds would exceed the bound.
pub fn enforce_bits_le_below(cs: &Cs, bits: &[Bit], bound_le: &[bool]) -> R<()> {
    // k = bound - 1, as little-endian bits.
    let mut k: Vec<bool> = bound_le.to_vec();
    let mut i = 0;
    loop {
        assert!(i < k.len(), "bound must be positive");
        if k[i] {
            k[i] = false;
            break;
        }
        k[i] = true;
        i += 1;
    }
    if k.len() < bits.len() {
        k.resize(bits.len(), false);
    }
    if k.iter().skip(bits.len()).any(|b| *b) {
        // bound - 1 ≥ 2^len: every value of `bits` is below the bound.
        return Ok(());
    }
    let mut eq: Option<Bit> = None; // None = constant true
    for idx in (0..bits.len()).rev() {
        let b = &bits[idx];
        if k[idx] {
            eq = Some(match eq {
                None => b.clone(),
                Some(e) => e.and(cs, b)?,
            });
        } else {
            match &eq {
                None => b.0.enforce_equal(cs, &Num::zero())?,
                Some(e) => enforce(cs, &e.0, &b.0, &Num::zero())?,
            }
        }
    }
    Ok(())
}

/// Strict decomposition: `n = 254` little-endian bits of `x`, enforced to be the canonical representative (< r).
pub fn to_bits_le_strict(cs: &Cs, x: &Num) -> R<Vec<Bit>> {
    let bits = to_bits_le(cs, x, 254)?;
    let r_bits = Fr::MODULUS.to_bits_le();
    enforce_bits_le_below(cs, &bits, &r_bits)?;
    Ok(bits)
}

/// Enforces `a ≤ b` for values both already known to be below 2^bits (bits + 1 constraints): `b - a < 2^bits`.
pub fn enforce_le(cs: &Cs, a: &Num, b: &Num, bits: usize) -> R<()> {
    range_check(cs, &b.sub(a), bits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    fn below(v: u64, bound: u64, n: usize) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = Num::witness(&cs, Some(Fr::from(v))).unwrap();
        let bits = to_bits_le(&cs, &x, n).unwrap();
        let bl = fr_bits_le(&Fr::from(bound), 64);
        enforce_bits_le_below(&cs, &bits, &bl).unwrap();
        cs.is_satisfied().unwrap()
    }

    proptest! {
        #[test]
        fn below_matches_integer_compare(v in 0u64..1 << 20, bound in 1u64..1 << 20) {
            prop_assert_eq!(below(v, bound, 21), v < bound);
        }
    }

    #[test]
    fn strict_bits_reject_alias() {
        // x = 5 with the 254-bit alias 5 + r must be rejected by the strict decomposition.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = Num::witness(&cs, Some(Fr::from(5u64))).unwrap();
        to_bits_le_strict(&cs, &x).unwrap();
        assert!(cs.is_satisfied().unwrap());
        let r = BigUint::from_bytes_le(&Fr::MODULUS.to_bytes_le());
        let alias = r + 5u32;
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = Num::witness(&cs, Some(Fr::from(5u64))).unwrap();
        let bits: Vec<Bit> = (0..254)
            .map(|i| Bit::witness(&cs, Some(alias.bit(i))).unwrap())
            .collect();
        let mut acc = Num::zero();
        let mut c = Fr::one();
        for b in &bits {
            acc = acc.add(&b.0.scale(c));
            c.double_in_place();
        }
        acc.enforce_equal(&cs, &x).unwrap();
        enforce_bits_le_below(&cs, &bits, &Fr::MODULUS.to_bits_le()).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
