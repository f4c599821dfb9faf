//! Pruning the runtime's status cache, as a validator does when it roots slots.
//!
//! The status cache records each processed transaction (its signature and message hash) under its
//! blockhash, so that the same transaction sent again is refused (`AlreadyProcessed`). A validator
//! drops the records of slots more than 300 roots old. The local chain keeps its bank in one slot
//! (see `lantern-localnet`'s `Chain::advance_slot`), so nothing ever roots and the cache grew by about
//! 650 bytes per transaction for as long as the chain ran. A transaction whose blockhash is older than
//! `MAX_PROCESSING_AGE` is refused before the status cache is consulted (`BlockhashNotFound`, the
//! runtime's age check comes first), so the records under such a blockhash can never refuse anything
//! again: those are the ones forgotten. A durable-nonce transaction cannot run twice either way: its
//! nonce advances when it runs.
use crate::RuntimeChain;
use solana_runtime::status_cache::{SlotDelta, StatusCache};
use solana_sdk::clock::MAX_PROCESSING_AGE;
use solana_sdk::transaction::Result as TransactionResult;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What `forget_expired_statuses` left and dropped, counted in blockhashes and in transaction
/// statuses (two per transaction: its signature and its message hash).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusPruning {
    pub kept_blockhashes: usize,
    pub kept_statuses: usize,
    pub forgotten_blockhashes: usize,
    pub forgotten_statuses: usize,
}

impl RuntimeChain {
    /// Forgets the status records of every blockhash the bank would no longer process a transaction
    /// for; the records of live blockhashes stay, so a duplicate is refused for as long as it could land.
    ///
    /// The chain's transactions all land in the working bank's slot, which this makes a root of the
    /// cache so that its records can be read back (`root_slot_deltas`) and the cache rebuilt from the
    /// live ones (rooting the working slot changes no lookup: a bank always sees its own slot).
    pub fn forget_expired_statuses(&self) -> StatusPruning {
        let bank = self.bank();
        let mut cache = bank.status_cache.write().unwrap();
        cache.add_root(bank.slot());
        let mut pruning = StatusPruning::default();
        let live: Vec<SlotDelta<TransactionResult<()>>> = cache
            .root_slot_deltas()
            .into_iter()
            .map(|(slot, is_root, statuses)| {
                let mut kept = HashMap::new();
                for (blockhash, (key_index, keys)) in statuses.lock().unwrap().iter() {
                    if bank.is_hash_valid_for_age(blockhash, MAX_PROCESSING_AGE) {
                        pruning.kept_blockhashes += 1;
                        pruning.kept_statuses += keys.len();
                        kept.insert(*blockhash, (*key_index, keys.clone()));
                    } else {
                        pruning.forgotten_blockhashes += 1;
                        pruning.forgotten_statuses += keys.len();
                    }
                }
                (slot, is_root, Arc::new(Mutex::new(kept)))
            })
            .collect();
        if pruning.forgotten_blockhashes > 0 {
            *cache = StatusCache::from_slot_deltas(&live);
        }
        pruning
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::signature::{Keypair, Signer};
    use solana_sdk::transaction::{Transaction, TransactionError};
    use solana_system_interface::instruction::transfer;

    /// Sends `lamports` to `to` with the chain's latest blockhash.
    async fn transfer_now(chain: &mut RuntimeChain, to: &Keypair, lamports: u64) -> Transaction {
        let payer = chain.payer();
        let blockhash = chain.ctx.banks_client.get_latest_blockhash().await.unwrap();
        let ix = transfer(&payer.pubkey(), &to.pubkey(), lamports);
        let tx = Transaction::new_signed_with_payer(&[ix], Some(&payer.pubkey()), &[&payer], blockhash);
        assert_eq!(land(chain, &tx).await, Ok(()));
        tx
    }

    async fn land(chain: &mut RuntimeChain, tx: &Transaction) -> Result<(), TransactionError> {
        chain.ctx.banks_client.process_transaction_with_metadata(tx.clone()).await.unwrap().result
    }

    async fn balance(chain: &mut RuntimeChain, who: &Keypair) -> u64 {
        chain.ctx.banks_client.get_balance(who.pubkey()).await.unwrap()
    }

    /// Ages every blockhash the bank holds now past `MAX_PROCESSING_AGE`.
    fn expire_blockhashes(chain: &RuntimeChain) {
        let bank = chain.bank();
        for _ in 0..=MAX_PROCESSING_AGE {
            bank.register_unique_recent_blockhash_for_test();
        }
    }

    #[solana_program_test::tokio::test(crate = "solana_program_test::tokio")]
    async fn pruning_forgets_only_what_can_never_land_again() {
        let mut chain = RuntimeChain::start().await;
        let to = Keypair::new();
        let old = transfer_now(&mut chain, &to, 1_000_000_000).await;

        // While its blockhash lives, its records stay and a resend is refused as a duplicate.
        let live = chain.forget_expired_statuses();
        assert_eq!((live.kept_statuses, live.forgotten_statuses), (2, 0));
        assert_eq!(land(&mut chain, &old).await, Err(TransactionError::AlreadyProcessed));

        expire_blockhashes(&chain);
        let fresh = transfer_now(&mut chain, &to, 2_000_000_000).await;
        let pruned = chain.forget_expired_statuses();
        assert_eq!(
            pruned,
            StatusPruning { kept_blockhashes: 1, kept_statuses: 2, forgotten_blockhashes: 1, forgotten_statuses: 2 }
        );

        // Neither can run twice: the forgotten one is refused for its age, the kept one as a duplicate.
        assert_eq!(land(&mut chain, &old).await, Err(TransactionError::BlockhashNotFound));
        assert_eq!(land(&mut chain, &fresh).await, Err(TransactionError::AlreadyProcessed));
        assert_eq!(balance(&mut chain, &to).await, 3_000_000_000);
        assert_eq!(chain.forget_expired_statuses().forgotten_statuses, 0);
    }
}
