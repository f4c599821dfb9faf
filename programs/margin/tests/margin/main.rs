//! Margin program tests on the real Solana runtime, with the real oracle committee and restaking pool.
mod scenarios;
