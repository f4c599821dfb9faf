//! Token movements, in one place: every SOL (wSOL) and LRT transfer the program makes.
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Transfer};

/// Moves `amount` from `from` to `to`; `signer_seeds` when a PDA (pool, sub-account) is the authority.
pub fn transfer<'info>(
    token_program: &AccountInfo<'info>,
    from: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
    signer_seeds: &[&[&[u8]]],
) -> Result<()> {
    let accounts = Transfer { from: from.clone(), to: to.clone(), authority: authority.clone() };
    token::transfer(CpiContext::new_with_signer(token_program.clone(), accounts, signer_seeds), amount)
}
