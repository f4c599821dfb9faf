//! Oracle program tests on the real Solana runtime (natively compiled program, `solana-program-test`).
//! One test binary with a module per area keeps linking the runtime to once.
mod common;

mod admin;
mod adversarial;
mod cpi;
mod data;
mod frames;
mod limits;
mod market;
mod membership;
mod properties;
mod votes;
