//! `msg!` and `sol_log`, as in `solana-msg` 2.2.1, plus one addition for natively compiled programs.
//!
//! On chain `sol_log` is a syscall that appends `Program log: …` to the transaction's logs. Off chain the
//! published crate prints to stdout, so natively run programs (solana-program-test) lose their `msg!`
//! lines from the transaction. `set_native_logger` lets a host route them instead (Lantern's runtime
//! sends them through the syscall stubs into the log collector); without a logger they still print.
#[cfg(not(target_os = "solana"))]
use std::sync::OnceLock;

/// Print a message to the log: `msg!("text")` or `msg!("format {}", args)`.
#[macro_export]
macro_rules! msg {
    ($msg:expr) => {
        $crate::sol_log($msg)
    };
    ($($arg:tt)*) => ($crate::sol_log(&format!($($arg)*)));
}

#[cfg(target_os = "solana")]
pub mod syscalls {
    //! Syscall definitions used by `solana_msg`.
    pub use solana_define_syscall::definitions::{sol_log_, sol_log_64_, sol_log_compute_units_, sol_log_data};
}

#[cfg(not(target_os = "solana"))]
static NATIVE_LOGGER: OnceLock<fn(&str)> = OnceLock::new();

/// Off chain: where `sol_log` sends messages from now on (set once per process; later calls are
/// ignored).
#[cfg(not(target_os = "solana"))]
pub fn set_native_logger(logger: fn(&str)) {
    let _ = NATIVE_LOGGER.set(logger);
}

/// Print a string to the log.
#[inline]
pub fn sol_log(message: &str) {
    #[cfg(target_os = "solana")]
    unsafe {
        syscalls::sol_log_(message.as_ptr(), message.len() as u64);
    }

    #[cfg(not(target_os = "solana"))]
    match NATIVE_LOGGER.get() {
        Some(logger) => logger(message),
        None => println!("{message}"),
    }
}
