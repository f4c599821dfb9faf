//! Simulation on the working bank itself: what program-test's banks interface answers, plus the
//! accounts as the transaction left them (`post_simulation_accounts`), which that interface drops and
//! `simulateTransaction`'s `accounts` option returns.
use crate::RuntimeChain;
use solana_runtime::bank::TransactionSimulationResult;
use solana_runtime_transaction::runtime_transaction::RuntimeTransaction;
use solana_sdk::transaction::{MessageHash, Result as TransactionResult, VersionedTransaction};

impl RuntimeChain {
    /// Simulates `tx` as the banks server does (no signature check, CPI recorded for the inner
    /// instructions); a transaction the bank cannot take in at all (bad lookups, sanitisation) is the
    /// error.
    pub fn simulate_on_bank(&self, tx: VersionedTransaction) -> TransactionResult<TransactionSimulationResult> {
        let bank = self.bank();
        let tx = RuntimeTransaction::try_create(
            tx,
            MessageHash::Compute,
            Some(false),
            bank.as_ref(),
            bank.get_reserved_account_keys(),
        )?;
        Ok(bank.simulate_transaction_unchecked(&tx, true))
    }
}
