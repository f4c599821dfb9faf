//! Margin program tests on the real Solana runtime, with the real oracle committee and restaking pool.
//! One test binary with a module per area keeps linking the runtime to once.
mod attacks;
mod instructions;
mod invariants;
mod pricing;
mod properties;
mod scenarios;
mod spoofing;
