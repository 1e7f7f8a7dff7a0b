//! The order of the statement's hash inputs. Generic over the element type `T`: 32-byte slices on
//! chain (fed to `sol_poseidon`), `Fr` natively, constraint variables in the circuit. The hash itself
//! stays with the caller; what may never differ between them, the order, lives only here.

/// Number of inputs of `pubHash` (`Poseidon` arity 12).
pub const PUB_HASH_ARITY: usize = 12;

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

/// The public values bound by the single Groth16 public input `pubHash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PubHashInputs<T> {
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
    /// The proof's `now` (u64, unix seconds).
    pub now: T,
    /// Maximum receipt age (u64, seconds).
    pub max_age: T,
    /// `resourceHash` (< 2^248).
    pub resource_hash: T,
    /// `nullifier = Poseidon(secret, domain)`.
    pub nullifier: T,
    /// `domain = Poseidon(programId_hi, programId_lo)`.
    pub domain: T,
}

impl<T> PubHashInputs<T> {
    /// `pubHash = Poseidon(Ax, Ay, payTo_hi, payTo_lo, asset_hi, asset_lo, minAmount, now, maxAge,
    /// resourceHash, nullifier, domain)`: the inputs in exactly this order.
    pub fn ordered(self) -> [T; PUB_HASH_ARITY] {
        [
            self.attester_x,
            self.attester_y,
            self.pay_to.hi,
            self.pay_to.lo,
            self.asset.hi,
            self.asset.lo,
            self.min_amount,
            self.now,
            self.max_age,
            self.resource_hash,
            self.nullifier,
            self.domain,
        ]
    }

    /// Names of the inputs in hash order (for vectors and error messages).
    pub const NAMES: [&'static str; PUB_HASH_ARITY] = [
        "attesterX",
        "attesterY",
        "payToHi",
        "payToLo",
        "assetHi",
        "assetLo",
        "minAmount",
        "now",
        "maxAge",
        "resourceHash",
        "nullifier",
        "domain",
    ];
}

impl PubHashInputs<[u8; 32]> {
    /// The byte inputs from the protocol's native values (keys split, integers zero-extended).
    /// Field elements (`attester`, `resource_hash`, `nullifier`, `domain`) are taken as given: check
    /// them with [`crate::field::is_canonical_fr`] where they come from outside.
    #[allow(clippy::too_many_arguments)]
    pub fn from_values(
        attester: &[u8; 64],
        pay_to: &[u8; 32],
        asset: &[u8; 32],
        min_amount: u64,
        now: u64,
        max_age: u64,
        resource_hash: &[u8; 32],
        nullifier: &[u8; 32],
        domain: &[u8; 32],
    ) -> Self {
        let mut ax = [0u8; 32];
        let mut ay = [0u8; 32];
        ax.copy_from_slice(&attester[..32]);
        ay.copy_from_slice(&attester[32..]);
        PubHashInputs {
            attester_x: ax,
            attester_y: ay,
            pay_to: KeyHalves::of(pay_to),
            asset: KeyHalves::of(asset),
            min_amount: crate::field::u64_be32(min_amount),
            now: crate::field::u64_be32(now),
            max_age: crate::field::u64_be32(max_age),
            resource_hash: *resource_hash,
            nullifier: *nullifier,
            domain: *domain,
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
