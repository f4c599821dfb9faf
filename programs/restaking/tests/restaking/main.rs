//! Restaking pool tests on the real Solana runtime, with the real oracle committee pricing the LRT.
//! One test binary with a module per area keeps linking the runtime to once.
mod flows;
mod instructions;
mod properties;
mod spoofing;
