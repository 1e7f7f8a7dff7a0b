//! Every way an instruction can fail, each with a message a caller can act on.
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
}
