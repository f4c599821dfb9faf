//! Restaking pool tests on the real Solana runtime, with the real oracle committee pricing the LRT.
mod flows;
