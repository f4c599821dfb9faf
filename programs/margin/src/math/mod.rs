//! Pure math of the margin program: no accounts, no runtime; unit-tested directly and mirrored by the
//! sdk. Every rounding favours the protocol.
pub mod health;
pub mod interest;
pub mod liquidation;
pub mod pricing;
pub mod shares;

use crate::errors::MarginError;

pub(crate) fn to_u64(value: u128) -> Result<u64, MarginError> {
    u64::try_from(value).map_err(|_| MarginError::MathOverflow)
}
