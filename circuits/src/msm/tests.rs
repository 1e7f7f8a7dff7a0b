//! The fixed-base MSM and the table-free one ([`super::var`]) must equal `ark-ec`'s
//! `VariableBaseMSM::msm` exactly, for every combination of techniques, on random and adversarial
//! scalars and bases.

use super::{var, FixedBaseMsm, MsmOptions, WINDOW_BITS};
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{BigInteger, Field, PrimeField, Zero};
use proptest::prelude::*;

/// Scalars that stress the digit recoding: 0, 1, −1 = r − 1, 2^253 − 1 (every bit below the top), the
/// reduction of 2^256 − 1, powers of two and window-boundary values, small values, random values.
fn scalar() -> impl Strategy<Value = Fr> {
    prop_oneof![
        Just(Fr::zero()),
        Just(Fr::ONE),
        Just(-Fr::ONE),
        Just(Fr::from_le_bytes_mod_order(&[0xff; 32])),
        Just(Fr::from(2u64).pow([253]) - Fr::ONE),
        (0u64..254).prop_map(|k| Fr::from(2u64).pow([k])),
        (0u64..254).prop_map(|k| -Fr::from(2u64).pow([k])),
        (1u32..20, 0u64..3).prop_map(|(c, d)| Fr::from((1u64 << (c - 1)) + d) - Fr::ONE),
        any::<u16>().prop_map(Fr::from),
        any::<[u8; 32]>().prop_map(|b| Fr::from_le_bytes_mod_order(&b)),
    ]
}

/// Bases from a small pool so that repeats (doublings), negations (P + (−P) = 0) and the identity occur.
fn base<P: SWCurveConfig>() -> impl Strategy<Value = Affine<P>> {
    (0u64..6, any::<bool>(), any::<bool>()).prop_map(|(k, neg, rare)| {
        let g = Projective::<P>::generator();
        let p = match (k, rare) {
            (0, true) => Projective::<P>::zero(),
            (_, true) => g * P::ScalarField::from(k + 1).pow([99]),
            _ => g * P::ScalarField::from(k + 2),
        };
        (if neg { -p } else { p }).into_affine()
    })
}

fn all_options() -> Vec<MsmOptions> {
    let mut v = Vec::new();
    for signed in [false, true] {
        for batch_affine in [false, true] {
            for parallel in [false, true] {
                v.push(MsmOptions {
                    signed,
                    batch_affine,
                    parallel,
                });
            }
        }
    }
    v
}

fn check<P: SWCurveConfig<ScalarField = Fr>>(bases: &[Affine<P>], scalars: &[Fr], c: u32)
where
    Projective<P>: VariableBaseMSM<MulBase = Affine<P>, ScalarField = Fr>,
    P::BaseField: super::field::MsmField,
{
    let n = bases.len().min(scalars.len());
    let expected = Projective::<P>::msm(&bases[..n], &scalars[..n]).expect("equal lengths");
    let table = FixedBaseMsm::new(bases, c);
    for opts in all_options() {
        assert_eq!(table.msm_with(scalars, opts), expected, "{opts:?}, c = {c}");
    }
    assert_eq!(table.msm(scalars), expected);
    let bigints: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
    // Table-free: one bucket reduction per window, so only the widths it is used with (≤ 16) and
    // below (2^(c-1) buckets per window make wider ones slow in a debug build).
    if c <= 12 {
        assert_eq!(
            var::msm_bigint_with_window(bases, &bigints, c),
            expected,
            "table-free, c = {c}"
        );
    }
    assert_eq!(var::msm_bigint(bases, &bigints), expected, "table-free");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn g1_matches_ark_ec(
        bases in prop::collection::vec(base::<ark_bn254::g1::Config>(), 0..24),
        scalars in prop::collection::vec(scalar(), 0..24),
        c in WINDOW_BITS.start().to_owned()..12u32,
    ) {
        check(&bases, &scalars, c);
    }

    #[test]
    fn g2_matches_ark_ec(
        bases in prop::collection::vec(base::<ark_bn254::g2::Config>(), 0..16),
        scalars in prop::collection::vec(scalar(), 0..16),
        c in WINDOW_BITS.start().to_owned()..12u32,
    ) {
        check(&bases, &scalars, c);
    }
}

/// Many equal scalars land in one bucket (the witness's many ones): the pairwise rounds must still sum them.
#[test]
fn one_heavy_bucket_and_repeated_bases() {
    let g1 = G1Projective::generator();
    let bases: Vec<G1Affine> = (0..300u64)
        .map(|k| (g1 * Fr::from(k % 7 + 1)).into_affine())
        .collect();
    for s in [Fr::ONE, -Fr::ONE, Fr::from(5u64)] {
        check(&bases, &vec![s; 300], 8);
    }
    let g2 = G2Projective::generator();
    let bases: Vec<G2Affine> = (0..64u64)
        .map(|k| (g2 * Fr::from(k % 3 + 1)).into_affine())
        .collect();
    check(&bases, &vec![Fr::ONE; 64], 10);
}

/// Every window width, the largest scalars, and the widths at which the top window carries.
#[test]
fn every_window_width() {
    let g1 = G1Projective::generator();
    let bases: Vec<G1Affine> = (1..9u64)
        .map(|k| (g1 * Fr::from(k)).into_affine())
        .collect();
    let top = Fr::from_bigint(Fr::MODULUS_MINUS_ONE_DIV_TWO).expect("< r");
    let scalars = [
        -Fr::ONE,
        top,
        top + Fr::ONE,
        Fr::ONE,
        Fr::zero(),
        -top,
        Fr::from(u64::MAX),
        -Fr::from(2u64),
    ];
    for c in WINDOW_BITS {
        check(&bases, &scalars, c);
    }
    assert_eq!(Fr::MODULUS.num_bits(), 254);
}

/// The table-free window width grows with the number of points and stays in range.
#[test]
fn table_free_window_widths() {
    assert_eq!(var::window_bits(0), 3);
    assert_eq!(var::window_bits(16_383), 11);
    assert_eq!(var::window_bits(16_384), 12);
    assert_eq!(var::window_bits(usize::MAX), 16);
    let g1 = G1Projective::generator().into_affine();
    assert!(var::msm_bigint::<ark_bn254::g1::Config>(&[], &[Fr::ONE.into_bigint()]).is_zero());
    assert_eq!(
        var::msm_bigint(&[g1, g1], &[Fr::from(3u64).into_bigint()]),
        g1 * Fr::from(3u64)
    );
}

#[test]
fn empty_and_mismatched_lengths() {
    let g1 = G1Projective::generator().into_affine();
    let t = FixedBaseMsm::new(&[g1, g1], 4);
    assert!(t.msm(&[]).is_zero());
    assert_eq!(t.msm(&[Fr::from(3u64)]), g1 * Fr::from(3u64));
    assert_eq!(
        t.msm(&[Fr::ONE, Fr::ONE, Fr::ONE]),
        g1.into_group().double()
    );
    let empty = FixedBaseMsm::<ark_bn254::g1::Config>::new(&[], 8);
    assert!(empty.is_empty() && empty.msm(&[Fr::ONE]).is_zero());
    assert!(G1Affine::zero().is_zero());
}

/// The affine bucket reduction `Σ_b (b + 1)·B_b` at every lane width either target uses (32 natively,
/// 64 in WebAssembly) and around them, over sets whose lengths are and are not multiples of a lane,
/// with identities and repeated points among the buckets.
#[test]
fn weighted_sums_every_lane_width() {
    let g = G1Projective::generator();
    let sets: Vec<Vec<G1Affine>> = [1usize, 31, 64, 65, 200, 513]
        .iter()
        .map(|&n| {
            (0..n as u64)
                .map(|k| match k % 11 {
                    0 => G1Affine::zero(),
                    5 => g.into_affine(),
                    _ => (g * Fr::from(k * k + 3)).into_affine(),
                })
                .collect()
        })
        .collect();
    let want: Vec<G1Projective> = sets
        .iter()
        .map(|set| {
            set.iter()
                .enumerate()
                .map(|(b, p)| *p * Fr::from(b as u64 + 1))
                .sum()
        })
        .collect();
    assert_eq!(super::batch::weighted_sums(&sets), want);
    assert_eq!(super::batch::weighted_sums_in_lanes::<_, 16>(&sets), want);
    assert_eq!(super::batch::weighted_sums_in_lanes::<_, 32>(&sets), want);
    assert_eq!(super::batch::weighted_sums_in_lanes::<_, 64>(&sets), want);
    assert_eq!(super::batch::weighted_sums_in_lanes::<_, 128>(&sets), want);
}
