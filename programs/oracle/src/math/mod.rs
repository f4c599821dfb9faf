//! Pure math of the oracle: no accounts, no runtime; unit-tested directly and mirrored by the sdk.
pub mod ema;
pub mod median;
pub mod sanity;
