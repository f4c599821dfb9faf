//! Executing a transaction on the working bank, as program-test's banks server does, but with CPI
//! recording on (a landed transaction's inner instructions come from its own execution), and with a
//! validator's preflight folded into the execution itself.
use crate::RuntimeChain;
use solana_program_test::BanksClientError;
use solana_sdk::clock::{MAX_PROCESSING_AGE, MAX_TRANSACTION_FORWARDING_DELAY};
use solana_sdk::transaction::VersionedTransaction;
use solana_svm::transaction_commit_result::CommittedTransaction;
use solana_svm::transaction_processing_result::ProcessedTransaction;
use solana_svm::transaction_processor::ExecutionRecordingConfig;
use solana_timings::ExecuteTimings;

/// Bytes of program logs kept per transaction: program-test's own limit.
const LOG_BYTES_LIMIT: usize = 1_000_000;

/// How a transaction is let onto the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// As `sendTransaction` with its preflight: a transaction whose execution fails is refused and
    /// nothing of it is committed (no fee), and its blockhash must be young enough to be forwarded
    /// (150 − 6 blocks), as a validator's preflight simulation refuses it before it is sent.
    Preflight,
    /// As `skipPreflight`: a transaction that executes and fails lands with its error and pays its fee.
    Land,
}

impl RuntimeChain {
    /// Executes `tx` and commits it unless `admission` refuses it (signatures are not checked here: the
    /// caller verifies them, as a validator's signature stage does before its bank sees a transaction).
    ///
    /// One execution serves both the preflight and the landing: the bank is the same one a separate
    /// simulation would run on, under the same lock, so that simulation would see exactly what this
    /// execution sees; whether to commit is decided on its result (the runtime's pre-commit hook),
    /// where a validator runs the transaction twice. The error is a transaction that did not land:
    /// `SimulationError` (with its logs) for a preflight refusal of one that executed,
    /// `TransactionError` for one the bank could not take in (expired blockhash, duplicate, unpaid fee,
    /// bad lookups).
    pub fn execute_on_bank(
        &self,
        tx: VersionedTransaction,
        admission: Admission,
    ) -> Result<CommittedTransaction, BanksClientError> {
        let bank = self.bank();
        let batch = bank.prepare_entry_batch(vec![tx])?;
        let recording = ExecutionRecordingConfig {
            enable_cpi_recording: true,
            enable_log_recording: true,
            enable_return_data_recording: true,
        };
        let max_age = match admission {
            Admission::Preflight => MAX_PROCESSING_AGE - MAX_TRANSACTION_FORWARDING_DELAY,
            Admission::Land => MAX_PROCESSING_AGE,
        };
        let mut refusal = None;
        let outcome = bank.load_execute_and_commit_transactions_with_pre_commit_callback(
            &batch,
            max_age,
            false,
            recording,
            &mut ExecuteTimings::default(),
            Some(LOG_BYTES_LIMIT),
            |_, results| {
                refusal = match (admission, results.first()) {
                    (Admission::Preflight, Some(Ok(processed))) => preflight_refusal(processed),
                    _ => None,
                };
                match &refusal {
                    Some(BanksClientError::SimulationError { err, .. }) => Err(err.clone()),
                    _ => Ok(None),
                }
            },
        );
        match outcome {
            Ok((mut committed, _)) => committed.remove(0).map_err(BanksClientError::TransactionError),
            Err(err) => Err(refusal.unwrap_or(BanksClientError::TransactionError(err))),
        }
    }
}

/// What a preflight says of a transaction the bank processed: nothing when it succeeded, else its
/// error with the logs and units of its execution.
fn preflight_refusal(processed: &ProcessedTransaction) -> Option<BanksClientError> {
    let (err, logs, units_consumed, return_data) = match processed {
        ProcessedTransaction::Executed(executed) => {
            let details = &executed.execution_details;
            let err = details.status.clone().err()?;
            (err, details.log_messages.clone().unwrap_or_default(), details.executed_units, details.return_data.clone())
        }
        ProcessedTransaction::FeesOnly(fees_only) => (fees_only.load_error.clone(), Vec::new(), 0, None),
    };
    Some(BanksClientError::SimulationError { err, logs, units_consumed, return_data })
}
