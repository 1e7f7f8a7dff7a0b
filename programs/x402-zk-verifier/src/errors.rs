//! Every way an instruction can fail, each with a message a caller can act on.
//!
//! Codes are Anchor's `6000 + index`, so **only append** new variants: clients match on the numbers.
use anchor_lang::prelude::*;

#[error_code]
pub enum ErrorCode {
    #[msg("Only the config authority may do this")]
    Unauthorized,
    #[msg("Payment verification is paused by the config authority")]
    Paused,
    #[msg("Clock skew allowance exceeds the maximum of 3600 seconds")]
    ClockSkewTooLarge,
    #[msg("Attester key coordinate is not a canonical field element (must be < r)")]
    AttesterKeyNotCanonical,
    #[msg(
        "A public value (resourceHash or nullifier) is not a canonical field element (must be < r)"
    )]
    PublicValueNotCanonical,
    #[msg("The proof's `now` is outside the allowed clock skew of the validator clock")]
    TimestampOutOfRange,
    #[msg("Groth16 proof does not verify for these public values (or a proof point is not on the curve)")]
    InvalidProof,
    #[msg("This nullifier was already spent: the receipt has paid before")]
    NullifierAlreadyUsed,
    #[msg("Nullifier account is not the PDA [\"nullifier\", nullifier] of this program")]
    NullifierAccountMismatch,
    #[msg("The same nullifier appears twice in one batch")]
    DuplicateNullifierInBatch,
    #[msg("Batch is empty")]
    EmptyBatch,
    #[msg("Batch holds more proofs than the program accepts")]
    BatchTooLarge,
    #[msg("Number of nullifier accounts differs from the number of proofs in the batch")]
    NullifierAccountCountMismatch,
    #[msg("A proof coordinate is not below the BN254 field modulus, or A or C is not a valid G1 point")]
    MalformedProof,
    #[msg("The verifying key is malformed: not 576 bytes, a coordinate >= p, an identity point, or a point not on the curve / not in the subgroup")]
    VerifyingKeyInvalid,
    #[msg("Poseidon hash syscall failed")]
    PoseidonFailed,
    #[msg("Proof buffer account is not a proof buffer of this program, or not yours")]
    ProofBufferInvalid,
    #[msg("Write goes past the end of the proof buffer")]
    ProofBufferOverflow,
    #[msg("Proof buffer content is not a whole number of proofs")]
    ProofBufferMalformed,
    #[msg("The verifying key account's hash differs from Config.vk_hash")]
    VerifyingKeyHashMismatch,
    #[msg("The proof's maxAge (or the requested receipt age cap) exceeds the allowed maximum")]
    ReceiptAgeTooLarge,
    #[msg("The receipt age cap and the clock skew may only be kept or lowered, never raised")]
    LifetimeMayOnlyShrink,
    #[msg("This nullifier has not expired yet: a proof for it could still pass")]
    NullifierNotExpired,
    #[msg("The account given for the rent is not the nullifier's recorded rent payer")]
    RentPayerMismatch,
    #[msg(
        "close_expired_nullifiers takes [nullifier, rent_payer] pairs: at least one, whole pairs"
    )]
    NullifierPairsMalformed,
    #[msg("The verifying key account is not this program's verifying-key PDA [\"vk\"]")]
    VerifyingKeyAccountMismatch,
    #[msg("The policy account is not the PDA [\"policy\", policyHash] of these terms")]
    PolicyAccountMismatch,
    #[msg("The policy was registered under another attester key than the config's current one: register the policy again")]
    PolicyStale,
}
