//! The order of the statement's hash inputs. Generic over the element type `T`: 32-byte slices on
//! chain (fed to `sol_poseidon`), `Fr` natively, constraint variables in the circuit. The hash itself
//! stays with the caller; what may never differ between them, the order, lives only here.
//!
//! The statement hashes in two levels: `policyHash` over the per-merchant terms (9 inputs, once per
//! merchant offer: on chain a `Policy` account holds it) and `pubHash` over `policyHash` and the
//! per-proof values (4 inputs, per proof).

/// Number of inputs of `policyHash` (`Poseidon` arity 9): the per-merchant terms, hashed once.
pub const POLICY_HASH_ARITY: usize = 9;

/// Number of inputs of `pubHash` (`Poseidon` arity 4): `policyHash` and the per-proof values.
pub const PUB_HASH_ARITY: usize = 4;

/// Number of inputs of the receipt message `M` (`Poseidon` arity 7).
pub const RECEIPT_MESSAGE_ARITY: usize = 7;

/// A 32-byte key as its two field elements `(hi, lo)` ([`crate::field::split_key`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyHalves<T> {
    /// First 16 bytes, big-endian.
    pub hi: T,
    /// Last 16 bytes, big-endian.
    pub lo: T,
}

impl KeyHalves<[u8; 32]> {
    /// The halves of a 32-byte key, as 32-byte big-endian field elements.
    pub fn of(key: &[u8; 32]) -> Self {
        let (hi, lo) = crate::field::split_key(key);
        KeyHalves { hi, lo }
    }
}

impl<T> KeyHalves<T> {
    /// Borrows both halves.
    pub fn as_ref(&self) -> KeyHalves<&T> {
        KeyHalves {
            hi: &self.hi,
            lo: &self.lo,
        }
    }

    /// Converts both halves.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> KeyHalves<U> {
        KeyHalves {
            hi: f(self.hi),
            lo: f(self.lo),
        }
    }
}

/// The per-merchant terms bound by `policyHash` (an internal wire of the circuit; on chain the
/// `Policy` account holds it, computed by `register_policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyHashInputs<T> {
    /// Attester key `Ax`.
    pub attester_x: T,
    /// Attester key `Ay`.
    pub attester_y: T,
    /// Merchant key halves.
    pub pay_to: KeyHalves<T>,
    /// Asset (mint) key halves.
    pub asset: KeyHalves<T>,
    /// Minimum amount (u64).
    pub min_amount: T,
    /// Maximum receipt age (u64, seconds).
    pub max_age: T,
    /// `domain = Poseidon(programId_hi, programId_lo)`.
    pub domain: T,
}

impl<T> PolicyHashInputs<T> {
    /// `policyHash = Poseidon(Ax, Ay, payTo_hi, payTo_lo, asset_hi, asset_lo, minAmount, maxAge,
    /// domain)`: the inputs in exactly this order.
    pub fn ordered(self) -> [T; POLICY_HASH_ARITY] {
        [
            self.attester_x,
            self.attester_y,
            self.pay_to.hi,
            self.pay_to.lo,
            self.asset.hi,
            self.asset.lo,
            self.min_amount,
            self.max_age,
            self.domain,
        ]
    }

    /// Names of the inputs in hash order (for vectors and error messages).
    pub const NAMES: [&'static str; POLICY_HASH_ARITY] = [
        "attesterX",
        "attesterY",
        "payToHi",
        "payToLo",
        "assetHi",
        "assetLo",
        "minAmount",
        "maxAge",
        "domain",
    ];
}

impl PolicyHashInputs<[u8; 32]> {
    /// The byte inputs from the protocol's native values (keys split, integers zero-extended).
    /// `attester` (`Ax ‖ Ay`) and `domain` are taken as given: check them with
    /// [`crate::field::is_canonical_fr`] where they come from outside.
    pub fn from_values(
        attester: &[u8; 64],
        pay_to: &[u8; 32],
        asset: &[u8; 32],
        min_amount: u64,
        max_age: u64,
        domain: &[u8; 32],
    ) -> Self {
        let mut ax = [0u8; 32];
        let mut ay = [0u8; 32];
        ax.copy_from_slice(&attester[..32]);
        ay.copy_from_slice(&attester[32..]);
        PolicyHashInputs {
            attester_x: ax,
            attester_y: ay,
            pay_to: KeyHalves::of(pay_to),
            asset: KeyHalves::of(asset),
            min_amount: crate::field::u64_be32(min_amount),
            max_age: crate::field::u64_be32(max_age),
            domain: *domain,
        }
    }
}

/// The values bound by the single Groth16 public input `pubHash`: the policy (by its hash) and
/// the proof's own values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PubHashInputs<T> {
    /// `policyHash` ([`PolicyHashInputs::ordered`]).
    pub policy_hash: T,
    /// The proof's `now` (u64, unix seconds).
    pub now: T,
    /// `resourceHash` (< 2^248).
    pub resource_hash: T,
    /// `nullifier = Poseidon(secret, domain)`.
    pub nullifier: T,
}

impl<T> PubHashInputs<T> {
    /// `pubHash = Poseidon(policyHash, now, resourceHash, nullifier)`: the inputs in exactly this
    /// order.
    pub fn ordered(self) -> [T; PUB_HASH_ARITY] {
        [
            self.policy_hash,
            self.now,
            self.resource_hash,
            self.nullifier,
        ]
    }

    /// Names of the inputs in hash order (for vectors and error messages).
    pub const NAMES: [&'static str; PUB_HASH_ARITY] =
        ["policyHash", "now", "resourceHash", "nullifier"];
}

impl PubHashInputs<[u8; 32]> {
    /// The byte inputs from native values (`now` zero-extended). `policy_hash`, `resource_hash`
    /// and `nullifier` are taken as given: check them with [`crate::field::is_canonical_fr`] where
    /// they come from outside.
    pub fn from_values(
        policy_hash: &[u8; 32],
        now: u64,
        resource_hash: &[u8; 32],
        nullifier: &[u8; 32],
    ) -> Self {
        PubHashInputs {
            policy_hash: *policy_hash,
            now: crate::field::u64_be32(now),
            resource_hash: *resource_hash,
            nullifier: *nullifier,
        }
    }
}

/// What the attester signs: `M = Poseidon(payTo_hi, payTo_lo, asset_hi, asset_lo, amount, paidAt, C)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceiptMessageInputs<T> {
    /// Merchant key halves.
    pub pay_to: KeyHalves<T>,
    /// Asset key halves.
    pub asset: KeyHalves<T>,
    /// Amount paid (u64).
    pub amount: T,
    /// Block time of the payment (u64).
    pub paid_at: T,
    /// Commitment `C = Poseidon(secret, 0)` from the memo.
    pub commitment: T,
}

impl<T> ReceiptMessageInputs<T> {
    /// The inputs of `M` in hash order.
    pub fn ordered(self) -> [T; RECEIPT_MESSAGE_ARITY] {
        [
            self.pay_to.hi,
            self.pay_to.lo,
            self.asset.hi,
            self.asset.lo,
            self.amount,
            self.paid_at,
            self.commitment,
        ]
    }
}
