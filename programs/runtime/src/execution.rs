//! Executing a transaction on the working bank, as program-test's banks server does, but with CPI
//! recording on: a landed transaction's inner instructions come from its own execution.
use crate::RuntimeChain;
use solana_sdk::clock::MAX_PROCESSING_AGE;
use solana_sdk::transaction::{Result as TransactionResult, VersionedTransaction};
use solana_svm::transaction_commit_result::CommittedTransaction;
use solana_svm::transaction_processor::ExecutionRecordingConfig;
use solana_timings::ExecuteTimings;

/// Bytes of program logs kept per transaction: program-test's own limit.
const LOG_BYTES_LIMIT: usize = 1_000_000;

impl RuntimeChain {
    /// Executes and commits `tx` (signatures are not checked here: the caller verifies them, as a
    /// validator's signature stage does before its bank sees a transaction). The error is a
    /// transaction that did not land at all (expired blockhash, duplicate, unpaid fee, bad lookups).
    pub fn execute_on_bank(&self, tx: VersionedTransaction) -> TransactionResult<CommittedTransaction> {
        let bank = self.bank();
        let batch = bank.prepare_entry_batch(vec![tx])?;
        let recording = ExecutionRecordingConfig {
            enable_cpi_recording: true,
            enable_log_recording: true,
            enable_return_data_recording: true,
        };
        let (mut committed, _) = bank.load_execute_and_commit_transactions(
            &batch,
            MAX_PROCESSING_AGE,
            false,
            recording,
            &mut ExecuteTimings::default(),
            Some(LOG_BYTES_LIMIT),
        );
        committed.remove(0)
    }
}
