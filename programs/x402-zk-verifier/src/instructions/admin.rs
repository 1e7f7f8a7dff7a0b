//! Authority-only instructions that change the config.
use anchor_lang::prelude::*;

use crate::errors::ErrorCode;
use crate::events::ConfigUpdated;
use crate::state::{Config, CONFIG_SEED};

#[derive(Accounts)]
pub struct AdminConfig<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = authority @ ErrorCode::Unauthorized,
    )]
    pub config: Account<'info, Config>,
}

impl AdminConfig<'_> {
    fn emit_updated(&self) {
        let c = &self.config;
        emit!(ConfigUpdated {
            authority: c.authority,
            attester: c.attester,
            max_clock_skew_seconds: c.max_clock_skew_seconds,
            paused: c.paused,
        });
    }
}

pub fn set_paused(ctx: Context<AdminConfig>, paused: bool) -> Result<()> {
    ctx.accounts.config.paused = paused;
    ctx.accounts.emit_updated();
    Ok(())
}
