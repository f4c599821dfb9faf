//! Anchor events (`emit!` → `sol_log_data`) in transaction logs, as a validator records them.
//!
//! On chain `sol_log_data` is a syscall that appends `Program data: <base64 fields>` to the
//! transaction's log collector. Natively it goes through the syscall stubs, and `solana-program-test`'s
//! stubs do not implement it (the default prints to stdout), while they do route `sol_log` into the log
//! collector. So the runtime wraps program-test's stubs once per process: `sol_log_data` becomes a
//! `sol_log` of a marked line, which keeps its place among the `invoke`/`success` lines (CPIs
//! included), and `validator_logs` turns each marked `Program log:` line back into `Program data:`.
//! `msg!` (`solana-msg`) prints natively without consulting the stubs; the workspace patches
//! `solana-msg` with a native logger hook (`programs/patches/solana-msg`), which `install` points at the
//! stubs' `sol_log`, so `Program log:` lines land in the collector too.
use std::sync::Once;

use base64::{prelude::BASE64_STANDARD, Engine};
use solana_sdk::account_info::AccountInfo;
use solana_sdk::entrypoint::ProgramResult;
use solana_sdk::instruction::Instruction;
use solana_sdk::program_stubs::{set_syscall_stubs, SyscallStubs};
use solana_sdk::pubkey::Pubkey;

/// Marks a `sol_log_data` line inside the log collector; control characters never occur in a
/// program's own `msg!` text by accident.
const DATA_MARK: &str = "\u{1}\u{2}data ";

struct EventLogStubs {
    inner: Box<dyn SyscallStubs>,
}

impl SyscallStubs for EventLogStubs {
    fn sol_log(&self, message: &str) {
        self.inner.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        self.inner.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        self.inner.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(&self, ix: &Instruction, infos: &[AccountInfo], seeds: &[&[&[u8]]]) -> ProgramResult {
        self.inner.sol_invoke_signed(ix, infos, seeds)
    }
    fn sol_get_sysvar(&self, id: *const u8, var: *mut u8, offset: u64, length: u64) -> u64 {
        self.inner.sol_get_sysvar(id, var, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_clock_sysvar(var)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_schedule_sysvar(var)
    }
    fn sol_get_fees_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_fees_sysvar(var)
    }
    fn sol_get_rent_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_rent_sysvar(var)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_rewards_sysvar(var)
    }
    fn sol_get_last_restart_slot(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_last_restart_slot(var)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        self.inner.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memcpy(dst, src, n)
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memmove(dst, src, n)
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        self.inner.sol_memcmp(s1, s2, n, result)
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        self.inner.sol_memset(s, c, n)
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        self.inner.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        self.inner.sol_set_return_data(data)
    }
    fn sol_log_data(&self, fields: &[&[u8]]) {
        let encoded: Vec<String> = fields.iter().map(|f| BASE64_STANDARD.encode(f)).collect();
        self.inner.sol_log(&format!("{DATA_MARK}{}", encoded.join(" ")))
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}

/// Wraps the syscall stubs `solana-program-test` installed (call after a `ProgramTest` started).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Take program-test's stubs out, and put them back inside the wrapper.
        let placeholder: Box<dyn SyscallStubs> = Box::new(Placeholder);
        let inner = set_syscall_stubs(placeholder);
        set_syscall_stubs(Box::new(EventLogStubs { inner }));
        solana_msg::set_native_logger(solana_sdk::program_stubs::sol_log);
    });
}

struct Placeholder;
impl SyscallStubs for Placeholder {}

/// The log lines as a validator writes them: marked `sol_log_data` lines become `Program data:`.
pub fn validator_logs(logs: Vec<String>) -> Vec<String> {
    let marked = format!("Program log: {DATA_MARK}");
    logs.into_iter()
        .map(|line| match line.strip_prefix(&marked) {
            Some(data) => format!("Program data: {data}"),
            None => line,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_lines_become_program_data_and_others_stay() {
        let logs = vec![
            "Program X invoke [1]".to_string(),
            format!("Program log: {DATA_MARK}AQID"),
            "Program log: Instruction: Liquidate".to_string(),
            "Program X success".to_string(),
        ];
        assert_eq!(
            validator_logs(logs),
            ["Program X invoke [1]", "Program data: AQID", "Program log: Instruction: Liquidate", "Program X success"]
        );
    }
}
