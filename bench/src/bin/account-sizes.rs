//! Prints every program account's size and its rent-exempt deposit as a Markdown table.
use anchor_lang::solana_program::rent::Rent;
use anchor_lang::Space;

/// marginfi's MarginfiAccount, the reference point DESIGN.md names for account size.
const MARGINFI_ACCOUNT_BYTES: usize = 2_312;

fn main() {
    let rent = Rent::default();
    let rows = [
        ("oracle", "Committee", 8 + oracle::state::Committee::INIT_SPACE),
        ("oracle", "Feed", 8 + oracle::state::Feed::INIT_SPACE),
        ("restaking", "StakePool", 8 + restaking::state::StakePool::INIT_SPACE),
        ("restaking", "Ticket", 8 + restaking::state::Ticket::INIT_SPACE),
        ("margin", "LendingPool", 8 + margin::state::LendingPool::INIT_SPACE),
        ("margin", "LenderPosition", 8 + margin::state::LenderPosition::INIT_SPACE),
        ("margin", "Market", 8 + margin::state::Market::INIT_SPACE),
        ("margin", "SubAccount", 8 + margin::state::SubAccount::INIT_SPACE),
        ("spl-token", "Account (a sub-account's collateral vault)", 165),
        ("reference", "marginfi MarginfiAccount", MARGINFI_ACCOUNT_BYTES),
    ];
    println!("| program | account | bytes | rent-exempt deposit (SOL) |");
    println!("|---|---|---:|---:|");
    for (program, account, bytes) in rows {
        let lamports = rent.minimum_balance(bytes);
        println!("| {program} | {account} | {bytes} | {:.6} |", lamports as f64 / 1e9);
    }
}
