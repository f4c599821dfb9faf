//! The chain behind the RPC: one runtime bank (from `solana-program-test`) with Lantern's programs,
//! plus what the RPC needs that the runtime does not keep for us — transaction records and a mirror of
//! every account a transaction touched (for `getProgramAccounts` and subscriptions).
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use borsh::BorshDeserialize as _;
pub use lantern_runtime::execution::Admission;
use lantern_runtime::solana_program_test::BanksClientError;
use lantern_runtime::RuntimeChain;
use solana_account_decoder::parse_account_data::SplTokenAdditionalDataV2;
use solana_account_decoder::parse_token::{token_amount_to_ui_amount_v3, UiTokenAmount};
use solana_address_lookup_table_interface::error::AddressLookupError;
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_sdk::compute_budget::ComputeBudgetInstruction;
use solana_sdk::transaction_context::TransactionReturnData;
use solana_sdk::{
    account::{Account, AccountSharedData},
    clock::{Clock, Slot},
    hash::Hash,
    message::v0::LoadedAddresses,
    message::{SanitizedMessage, SanitizedVersionedMessage, SimpleAddressLoader, VersionedMessage},
    pubkey::Pubkey,
    signature::{Signature, Signer},
    slot_hashes::{SlotHashes, MAX_ENTRIES},
    transaction::{Transaction, TransactionError, VersionedTransaction},
};
use solana_system_interface::instruction as system_instruction;
use solana_transaction_status::{
    map_inner_instructions, ConfirmedBlock, InnerInstructions, TransactionStatusMeta, TransactionTokenBalance,
    TransactionWithStatusMeta, VersionedTransactionWithStatusMeta,
};
use tokio::sync::broadcast;

/// The bank's own slot, where it stays (see `Chain::advance_slot`). The chain's slots count from 0 far
/// below it, so the runtime, which lets a lookup table's new addresses be loaded once its bank slot is
/// past the slot of the extension (the Clock's), sees every extension as past.
const BANK_SLOT: Slot = 1 << 40;

/// Blockhashes stay valid for this many blocks, as on mainnet.
pub const BLOCKHASH_VALIDITY: u64 = 150;

/// Transactions kept for `getTransaction` and friends unless `--history` says otherwise: with their
/// logs about 1–2 KiB each, so some 30 MiB.
pub const DEFAULT_HISTORY: usize = 20_000;

/// Blocks (slot, time, blockhash) kept for `getBlock` and `getBlockTime`: a day of 400 ms slots
/// (flat memory however long it runs).
const BLOCKS_KEPT: usize = 216_000;

/// A performance sample every this many slots (a minute), as a validator takes them.
const SLOTS_PER_SAMPLE: u64 = 150;
/// Slots between two prunings of the runtime's status cache: it holds at most this many slots of
/// transactions beyond the 150 a blockhash lives (`RuntimeChain::forget_expired_statuses`).
const SLOTS_PER_STATUS_PRUNING: u64 = 30;
/// Samples kept for `getRecentPerformanceSamples` (its maximum limit: 12 hours).
const SAMPLES_KEPT: usize = 720;

/// What subscribers hear about.
#[derive(Clone, Debug)]
pub enum Event {
    Slot {
        slot: Slot,
    },
    Account {
        pubkey: Pubkey,
        account: Account,
        slot: Slot,
    },
    Signature {
        signature: Signature,
        err: Option<TransactionError>,
        slot: Slot,
    },
    /// A landed transaction's logs, with every account it named (for `logsSubscribe` mentions).
    Logs {
        signature: Signature,
        err: Option<TransactionError>,
        logs: Vec<String>,
        accounts: Vec<Pubkey>,
        slot: Slot,
    },
}

/// One slot's block: every slot produces one here, empty or not.
#[derive(Clone, Copy, Debug)]
pub struct Block {
    pub slot: Slot,
    pub time: i64,
    pub blockhash: Hash,
}

/// A performance sample, as `getRecentPerformanceSamples` reports it.
#[derive(Clone, Copy, Debug)]
pub struct PerformanceSample {
    pub slot: Slot,
    pub transactions: u64,
    pub slots: u64,
    pub period_secs: u16,
}

/// A landed transaction with its metadata, typed as the validator's own encoder takes them.
#[derive(Clone, Debug)]
pub struct TxRecord {
    pub slot: Slot,
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    /// Its inner instructions come from the simulation on the same state just before it ran.
    pub meta: TransactionStatusMeta,
}

impl TxRecord {
    pub fn err(&self) -> Option<TransactionError> {
        self.meta.status.clone().err()
    }

    /// The compute-unit price it paid (micro-lamports per unit), as `getRecentPrioritizationFees` counts it.
    pub fn compute_unit_price(&self) -> u64 {
        let message = &self.transaction.message;
        let keys = message.static_account_keys();
        message
            .instructions()
            .iter()
            .filter(|ix| keys.get(usize::from(ix.program_id_index)) == Some(&solana_sdk::compute_budget::ID))
            .find_map(|ix| match ComputeBudgetInstruction::try_from_slice(&ix.data) {
                Ok(ComputeBudgetInstruction::SetComputeUnitPrice(price)) => Some(price),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// The accounts it write-locked: its writable static keys and the writable loaded ones.
    pub fn writable_accounts(&self) -> impl Iterator<Item = &Pubkey> {
        let message = &self.transaction.message;
        let keys = message.static_account_keys();
        keys.iter()
            .enumerate()
            .filter(|(index, _)| message.is_maybe_writable(*index, None))
            .map(|(_, key)| key)
            .chain(&self.meta.loaded_addresses.writable)
    }

    /// Every account the transaction named: its static keys, then loaded writable, then loaded readonly.
    pub fn accounts(&self) -> impl Iterator<Item = &Pubkey> {
        let loaded = &self.meta.loaded_addresses;
        self.transaction.message.static_account_keys().iter().chain(&loaded.writable).chain(&loaded.readonly)
    }
}

impl From<TxRecord> for VersionedTransactionWithStatusMeta {
    fn from(record: TxRecord) -> Self {
        Self { transaction: record.transaction, meta: record.meta }
    }
}

/// The outcome of a simulation.
pub struct Simulation {
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    /// Only the top-level instructions that made calls, by index.
    pub inner_instructions: Vec<InnerInstructions>,
    pub return_data: Option<TransactionReturnData>,
    /// Every account the transaction loaded, as it left them (empty when it failed).
    pub accounts: Vec<(Pubkey, AccountSharedData)>,
}

/// A failed lookup as the runtime reports it.
fn lookup_error(err: AddressLookupError) -> TransactionError {
    match err {
        AddressLookupError::LookupTableAccountNotFound => TransactionError::AddressLookupTableNotFound,
        AddressLookupError::InvalidAccountOwner => TransactionError::InvalidAddressLookupTableOwner,
        AddressLookupError::InvalidAccountData => TransactionError::InvalidAddressLookupTableData,
        AddressLookupError::InvalidLookupIndex => TransactionError::InvalidAddressLookupTableIndex,
    }
}

fn account_keys(message: &VersionedMessage, loaded: &LoadedAddresses) -> Vec<Pubkey> {
    message.static_account_keys().iter().chain(&loaded.writable).chain(&loaded.readonly).copied().collect()
}

impl Simulation {
    fn without_details(err: Option<TransactionError>) -> Self {
        Self {
            err,
            logs: Vec::new(),
            units_consumed: 0,
            inner_instructions: Vec::new(),
            return_data: None,
            accounts: Vec::new(),
        }
    }
}

/// Hands the allocator's free pages back to the system. glibc keeps what its per-thread arenas freed,
/// and executing and simulating churns through them: after 10,000 transfers the chain held 66 MiB
/// resident for a live heap of 19 MiB (heaptrack), and its resident size kept climbing under load.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    // SAFETY: malloc_trim only returns free memory to the system; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// Whether `tx` carries as many signatures as its message requires, each of them valid: what a
/// validator's signature verification admits. The runtime's processing path that the chain executes
/// through (`process_transaction_with_metadata`) does not check signatures itself.
pub fn signatures_verify(tx: &VersionedTransaction) -> bool {
    tx.sanitize().is_ok() && tx.verify_and_hash_message().is_ok()
}

pub struct Chain {
    pub test: RuntimeChain,
    mirror: BTreeMap<Pubkey, Account>,
    transactions: HashMap<Signature, TxRecord>,
    /// Landed signatures in order, for `getSignaturesForAddress`; the oldest beyond `history_limit`
    /// are forgotten with their records.
    history: VecDeque<Signature>,
    history_limit: usize,
    /// Recent blocks, the oldest dropped beyond a day's worth.
    blocks: VecDeque<Block>,
    samples: VecDeque<PerformanceSample>,
    /// The transaction count at the last sample.
    sampled_transactions: u64,
    /// Decimals of the mints seen in token balances (a mint's decimals never change).
    mint_decimals: HashMap<Pubkey, u8>,

    /// Recent blockhashes with the last block height at which each is valid.
    blockhashes: VecDeque<(Hash, u64)>,
    slot: Slot,
    block_height: u64,
    transaction_count: u64,
    /// Seconds added to the wall clock by `lantern_warpTime`.
    time_offset: i64,
    /// How far the bank runtime's clock moves for program-test to register one blockhash.
    blockhash_interval: std::time::Duration,
    pub genesis_hash: Hash,
    /// Shared, not copied, by every subscription that reads it (one clone per reader otherwise).
    pub events: broadcast::Sender<Arc<Event>>,
}

/// A token amount as the RPC writes it, by Solana's own account decoder (SPL Token has no interest or
/// scaled amounts, only decimals).
pub fn ui_token_amount(amount: u64, decimals: u8) -> UiTokenAmount {
    token_amount_to_ui_amount_v3(amount, &SplTokenAdditionalDataV2::with_decimals(decimals))
}

pub fn wall_clock() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Chain {
    /// A fresh runtime with Lantern's programs.
    pub async fn start() -> RuntimeChain {
        let mut programs = lantern_runtime::lantern_programs();
        // The address lookup table program as the runtime's builtin: its Core BPF build, which
        // program-test deploys when this migration feature is on, fails to load in program-test's
        // native mode ("Unsupported program id").
        programs.deactivate_feature(agave_feature_set::migrate_address_lookup_table_program_to_core_bpf::id());
        let mut chain = RuntimeChain::start_with(programs).await;
        if let Err(e) = chain.ctx.warp_to_slot(BANK_SLOT) {
            eprintln!("Could not move the bank to slot {BANK_SLOT}: {e:?}");
        }
        chain
    }

    /// Hosts `test` behind the RPC, remembering the last `history_limit` transactions; every account its
    /// transactions touched so far is indexed.
    pub async fn host(test: RuntimeChain, history_limit: usize) -> Self {
        let genesis_hash = test.ctx.genesis_config().hash();
        // The chain's slots start here, whatever the bank's; one block per slot.
        let (slot, block_height) = (0, 0);
        let (events, _) = broadcast::channel(4_096);
        let genesis = test.ctx.genesis_config();
        let blockhash_interval = genesis.poh_config.target_tick_duration * genesis.ticks_per_slot as u32;
        let mut chain = Self {
            test,
            mirror: BTreeMap::new(),
            transactions: HashMap::new(),
            history: VecDeque::new(),
            history_limit,
            blocks: VecDeque::new(),
            samples: VecDeque::new(),
            sampled_transactions: 0,
            mint_decimals: HashMap::new(),

            blockhashes: VecDeque::new(),
            slot,
            block_height,
            transaction_count: 0,
            time_offset: 0,
            blockhash_interval,
            genesis_hash,
            events,
        };
        let mut known: Vec<Pubkey> = chain.test.touched.iter().copied().collect();
        known.push(chain.test.payer().pubkey());
        chain.refresh_accounts(&known).await;
        chain.sync_clock().await;
        chain.latest_blockhash();
        chain
    }

    pub fn slot(&self) -> Slot {
        self.slot
    }

    pub fn block_height(&self) -> u64 {
        self.block_height
    }

    pub fn transaction_count(&self) -> u64 {
        self.transaction_count
    }

    pub fn now(&self) -> i64 {
        wall_clock() + self.time_offset
    }

    /// Advances one slot (and one block): a new blockhash, and the clock at the new slot and at wall
    /// time plus any warp.
    ///
    /// The bank itself stays at the slot the chain was built in. A new bank per slot (program-test's
    /// `warp_to_slot`) leaves every slot's sysvar writes in the accounts cache — the 128 KiB
    /// SlotHistory alone made an idle chain grow ~23 MiB a minute — because nothing runs the
    /// validator's background flush and clean. What a slot means to transactions is kept: the Clock
    /// sysvar's slot, epoch and time, and one new blockhash per slot, registered by program-test's
    /// own blockhash timer, which the frozen clock (see `BankRuntime` in main.rs) lets fire exactly
    /// once per slot. What a validator's rooting does to the status cache is done every
    /// `SLOTS_PER_STATUS_PRUNING` slots.
    pub async fn advance_slot(&mut self) {
        self.slot += 1;
        self.block_height += 1;
        let previous = self.blockhashes.back().map(|(h, _)| *h);
        while Some(self.test.bank().last_blockhash()) == previous {
            tokio::time::advance(self.blockhash_interval).await;
        }
        self.sync_clock().await;
        let (blockhash, _) = self.latest_blockhash();
        self.blocks.push_back(Block { slot: self.slot, time: self.now(), blockhash });
        while self.blocks.len() > BLOCKS_KEPT {
            self.blocks.pop_front();
        }
        self.test.ctx.set_sysvar(&self.slot_hashes());
        self.refresh_accounts(&[solana_sdk::sysvar::slot_hashes::ID]).await;
        if self.slot.is_multiple_of(SLOTS_PER_SAMPLE) {
            self.samples.push_front(PerformanceSample {
                slot: self.slot,
                transactions: self.transaction_count - self.sampled_transactions,
                slots: SLOTS_PER_SAMPLE,
                period_secs: 60,
            });
            self.samples.truncate(SAMPLES_KEPT);
            self.sampled_transactions = self.transaction_count;
        }
        if self.slot.is_multiple_of(SLOTS_PER_STATUS_PRUNING) {
            self.test.forget_expired_statuses();
            release_free_memory();
        }
        let _ = self.events.send(Arc::new(Event::Slot { slot: self.slot }));
    }

    async fn sync_clock(&mut self) {
        let mut clock: Clock = self.test.clock().await;
        let schedule = &self.test.ctx.genesis_config().epoch_schedule;
        clock.slot = self.slot;
        clock.epoch = schedule.get_epoch(self.slot);
        clock.leader_schedule_epoch = schedule.get_leader_schedule_epoch(self.slot);
        clock.unix_timestamp = self.now();
        self.test.ctx.set_sysvar(&clock);
        // Subscribers to the Clock hear each change, as from a validator.
        self.refresh_accounts(&[solana_sdk::sysvar::clock::ID]).await;
    }

    /// `lantern_warpTime`: moves the chain's clock forward.
    pub async fn warp_time(&mut self, secs: i64) {
        self.time_offset += secs.max(0);
        self.sync_clock().await;
    }

    /// `lantern_setAccount`: writes an account directly.
    pub async fn set_account(&mut self, pubkey: Pubkey, account: Account) {
        self.test.ctx.set_account(&pubkey, &AccountSharedData::from(account));
        self.refresh_accounts(&[pubkey]).await;
    }

    /// `lantern_warpSlots`: produces `count` slots at once (each with its blockhash, as in real time).
    pub async fn warp_slots(&mut self, count: u64) {
        for _ in 0..count {
            self.advance_slot().await;
        }
    }

    /// The bank's newest blockhash, noted as valid for `BLOCKHASH_VALIDITY` blocks from the current
    /// one when it is new; with its last valid block height.
    pub fn latest_blockhash(&mut self) -> (Hash, u64) {
        let hash = self.test.bank().last_blockhash();
        match self.blockhashes.back() {
            Some((newest, valid_until)) if *newest == hash => (hash, *valid_until),
            _ => {
                let valid_until = self.block_height + BLOCKHASH_VALIDITY;
                self.blockhashes.push_back((hash, valid_until));
                while self.blockhashes.front().is_some_and(|(_, v)| *v < self.block_height) {
                    self.blockhashes.pop_front();
                }
                (hash, valid_until)
            }
        }
    }

    /// What `sendTransaction` enforces: a blockhash is valid through its last valid block height.
    pub fn is_blockhash_valid(&self, hash: &Hash) -> bool {
        self.blockhashes.iter().any(|(h, valid_until)| h == hash && *valid_until >= self.block_height)
    }

    pub fn account(&self, pubkey: &Pubkey) -> Option<Account> {
        self.test.bank().get_account(pubkey).map(Account::from)
    }

    /// Accounts owned by `program` among those the chain has seen change.
    /// The decimals of a token account's mint, from the account index (parsing a token account needs
    /// them).
    pub fn token_decimals(&self, account: &Account) -> Option<u8> {
        if account.owner != spl_token::ID {
            return None;
        }
        let token = <spl_token::state::Account as solana_sdk::program_pack::Pack>::unpack(&account.data).ok()?;
        let mint = self.mirror.get(&token.mint)?;
        <spl_token::state::Mint as solana_sdk::program_pack::Pack>::unpack(&mint.data).ok().map(|m| m.decimals)
    }

    /// Every account in the index.
    pub fn accounts(&self) -> impl Iterator<Item = (&Pubkey, &Account)> + '_ {
        self.mirror.iter()
    }

    pub fn program_accounts(&self, program: Pubkey) -> impl Iterator<Item = (&Pubkey, &Account)> + '_ {
        self.mirror.iter().filter(move |(_, account)| account.owner == program)
    }

    /// The block of `slot` and its parent's blockhash, if it is recent enough to be remembered.
    pub fn block(&self, slot: Slot) -> Option<(Block, Hash)> {
        let index = self.blocks.binary_search_by_key(&slot, |b| b.slot).ok()?;
        let parent = index.checked_sub(1).map_or(self.genesis_hash, |i| self.blocks[i].blockhash);
        Some((self.blocks[index], parent))
    }

    /// The block height of `slot` (one block per slot).
    pub fn block_height_of(&self, slot: Slot) -> u64 {
        (self.block_height + slot).saturating_sub(self.slot)
    }

    /// The oldest slot whose block is still remembered.
    pub fn first_remembered_slot(&self) -> Slot {
        self.blocks.front().map_or(self.slot, |b| b.slot)
    }

    /// The transactions of `slot` still in the history, in the order they landed.
    /// Slot `at`'s block with its transactions (only those naming `mentions`, when given), as the
    /// validator's block encoder takes it.
    pub fn confirmed_block(&self, at: Slot, mentions: Option<&Pubkey>) -> Option<ConfirmedBlock> {
        let (block, parent_blockhash) = self.block(at)?;
        let mut landed: Vec<&TxRecord> = self
            .history
            .iter()
            .rev()
            .filter_map(|s| self.transactions.get(s))
            .skip_while(|r| r.slot > at)
            .take_while(|r| r.slot == at)
            .filter(|r| mentions.is_none_or(|key| r.accounts().any(|a| a == key)))
            .collect();
        landed.reverse();
        Some(ConfirmedBlock {
            previous_blockhash: parent_blockhash.to_string(),
            blockhash: block.blockhash.to_string(),
            parent_slot: at.saturating_sub(1),
            transactions: landed.into_iter().map(|r| TransactionWithStatusMeta::Complete(r.clone().into())).collect(),
            rewards: Vec::new(),
            num_partitions: None,
            block_time: Some(block.time),
            block_height: Some(self.block_height_of(at)),
        })
    }

    /// `getRecentPrioritizationFees`, as a validator's fee cache answers it: for each of the last 150
    /// slots, the lowest compute-unit price a landed transaction paid, raised to the lowest price paid by
    /// the transactions that write-locked each of `accounts` (contention on them is what a sender bids
    /// against).
    pub fn prioritization_fees(&self, accounts: &[Pubkey]) -> Vec<(Slot, u64)> {
        let first = self.slot.saturating_sub(BLOCKHASH_VALIDITY - 1);
        let mut lowest: BTreeMap<Slot, (Option<u64>, HashMap<Pubkey, u64>)> =
            (first..=self.slot).map(|slot| (slot, (None, HashMap::new()))).collect();
        let recent = self.history.iter().rev().filter_map(|s| self.transactions.get(s)).take_while(|r| r.slot >= first);
        for record in recent {
            let Some((block, by_account)) = lowest.get_mut(&record.slot) else { continue };
            let price = record.compute_unit_price();
            *block = Some(block.map_or(price, |low| low.min(price)));
            for account in record.writable_accounts().filter(|a| accounts.contains(a)) {
                by_account.entry(*account).and_modify(|low| *low = (*low).min(price)).or_insert(price);
            }
        }
        lowest
            .into_iter()
            .map(|(slot, (block, by_account))| {
                (slot, by_account.values().fold(block.unwrap_or(0), |fee, account_fee| fee.max(*account_fee)))
            })
            .collect()
    }

    /// Performance samples, newest first.
    pub fn performance_samples(&self, limit: usize) -> impl Iterator<Item = &PerformanceSample> + '_ {
        self.samples.iter().take(limit)
    }

    pub fn transaction(&self, signature: &Signature) -> Option<&TxRecord> {
        self.transactions.get(signature)
    }

    /// Landed transactions naming `address`, newest first: after `before` and down to (not including)
    /// `until` when given, at most `limit`.
    pub fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> Vec<(Signature, &TxRecord)> {
        let newest_first = self.history.iter().rev();
        let start = before.map_or(0, |b| self.history.iter().rev().position(|s| *s == b).map_or(usize::MAX, |i| i + 1));
        newest_first
            .skip(start)
            .take_while(|s| Some(**s) != until)
            .filter_map(|s| self.transactions.get(s).map(|r| (*s, r)))
            .filter(|(_, r)| r.accounts().any(|k| k == address))
            .take(limit)
            .collect()
    }

    /// `keys` as they are now, from the mirror where it holds them: every route that changes an account
    /// (transactions, `lantern_setAccount`, the bootstrap, each slot's Clock and SlotHashes) refreshes it
    /// there.
    async fn accounts_before(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut accounts = Vec::with_capacity(keys.len());
        for key in keys {
            let known = self.mirror.get(key).cloned();
            accounts.push(match known {
                Some(account) => Some(account),
                None => self.account(key),
            });
        }
        accounts
    }

    /// The decimals of `mint`, if it is an SPL Token mint (cached: a mint's decimals never change).
    pub async fn decimals_of(&mut self, mint: &Pubkey) -> Option<u8> {
        if let Some(decimals) = self.mint_decimals.get(mint) {
            return Some(*decimals);
        }
        let account = self.account(mint)?;
        let decimals = <spl_token::state::Mint as solana_sdk::program_pack::Pack>::unpack(&account.data).ok()?.decimals;
        self.mint_decimals.insert(*mint, decimals);
        Some(decimals)
    }

    /// The SPL Token accounts among `accounts` (a transaction's keys, in order) with their balances.
    async fn token_balances(&mut self, accounts: &[Option<Account>]) -> Vec<TransactionTokenBalance> {
        let mut balances = Vec::new();
        for (index, account) in accounts.iter().enumerate() {
            let Some(token) = account
                .as_ref()
                .filter(|a| a.owner == spl_token::ID)
                .and_then(|a| <spl_token::state::Account as solana_sdk::program_pack::Pack>::unpack(&a.data).ok())
            else {
                continue;
            };
            let Some(decimals) = self.decimals_of(&token.mint).await else { continue };
            let Ok(account_index) = u8::try_from(index) else { continue };
            balances.push(TransactionTokenBalance {
                account_index,
                mint: token.mint.to_string(),
                ui_token_amount: ui_token_amount(token.amount, decimals),
                owner: token.owner.to_string(),
                program_id: spl_token::ID.to_string(),
            });
        }
        balances
    }

    /// Re-reads `keys` into the mirror, tells subscribers about the ones that changed, and returns
    /// them.
    async fn refresh_accounts(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut accounts = Vec::with_capacity(keys.len());
        for key in keys {
            let current = self.account(key);
            accounts.push(current.clone());
            let previous = self.mirror.get(key);
            if previous == current.as_ref() {
                continue;
            }
            match current {
                Some(account) => {
                    self.mirror.insert(*key, account.clone());
                    let _ = self.events.send(Arc::new(Event::Account { pubkey: *key, account, slot: self.slot }));
                }
                None => {
                    self.mirror.remove(key);
                    let _ = self.events.send(Arc::new(Event::Account {
                        pubkey: *key,
                        account: Account::default(),
                        slot: self.slot,
                    }));
                }
            }
        }
        accounts
    }

    /// The fee of `message`, as the runtime computes it (signatures and compute-budget price).
    pub async fn fee_for(&mut self, message: &VersionedMessage) -> Option<u64> {
        let loaded = self.loaded_addresses(message).await.ok()?;
        self.fee_with(message, &loaded)
    }

    /// `fee_for` with the message's lookups already resolved.
    fn fee_with(&self, message: &VersionedMessage, loaded: &LoadedAddresses) -> Option<u64> {
        let bank = self.test.bank();
        let message = SanitizedMessage::try_new(
            SanitizedVersionedMessage::try_new(message.clone()).ok()?,
            SimpleAddressLoader::Enabled(loaded.clone()),
            bank.get_reserved_account_keys(),
        )
        .ok()?;
        bank.get_fee_for_message(&message)
    }

    pub async fn simulate(&mut self, tx: VersionedTransaction) -> Simulation {
        if !self.is_blockhash_valid(tx.message.recent_blockhash()) {
            return Simulation::without_details(Some(TransactionError::BlockhashNotFound));
        }
        if let Err(err) = self.loaded_addresses(&tx.message).await {
            return Simulation::without_details(Some(err));
        }
        let result = match self.test.simulate_on_bank(tx) {
            Ok(result) => result,
            Err(err) => return Simulation::without_details(Some(err)),
        };
        Simulation {
            err: result.result.err(),
            logs: lantern_runtime::event_logs::validator_logs(result.logs),
            units_consumed: result.units_consumed,
            inner_instructions: map_inner_instructions(result.inner_instructions.unwrap_or_default()).collect(),
            return_data: result.return_data,
            accounts: result.post_simulation_accounts,
        }
    }

    /// The recent slots and their blockhashes, as lookup tables check them (a table is created at a
    /// recent slot, and stays usable for a while after it is deactivated).
    fn slot_hashes(&self) -> SlotHashes {
        let recent: Vec<(Slot, Hash)> =
            self.blocks.iter().rev().take(MAX_ENTRIES).map(|b| (b.slot, b.blockhash)).collect();
        SlotHashes::new(&recent)
    }

    /// Every account `message` names, in the runtime's order (static, loaded writable, loaded readonly);
    /// what a lookup cannot resolve is left out.
    pub async fn account_keys(&mut self, message: &VersionedMessage) -> Vec<Pubkey> {
        let loaded = self.loaded_addresses(message).await.unwrap_or_default();
        account_keys(message, &loaded)
    }

    /// The addresses `message` loads from lookup tables, by the runtime's own rule at the chain's slot:
    /// addresses added in the current slot are not usable until the next one, and a deactivated table
    /// not at all. (The runtime itself sees the bank's slot, past every extension; see `BANK_SLOT`.)
    async fn loaded_addresses(&mut self, message: &VersionedMessage) -> Result<LoadedAddresses, TransactionError> {
        let mut loaded = LoadedAddresses::default();
        let lookups = message.address_table_lookups().unwrap_or_default();
        if lookups.is_empty() {
            return Ok(loaded);
        }
        let slot_hashes = self.slot_hashes();
        for lookup in lookups {
            let account = self.account(&lookup.account_key);
            let table = account.as_ref().ok_or(TransactionError::AddressLookupTableNotFound)?;
            if table.owner != solana_sdk::address_lookup_table::program::ID {
                return Err(TransactionError::InvalidAddressLookupTableOwner);
            }
            let table = AddressLookupTable::deserialize(&table.data)
                .map_err(|_| TransactionError::InvalidAddressLookupTableData)?;
            let pick = |indexes: &[u8]| table.lookup(self.slot, indexes, &slot_hashes).map_err(lookup_error);
            loaded.writable.extend(pick(&lookup.writable_indexes)?);
            loaded.readonly.extend(pick(&lookup.readonly_indexes)?);
        }
        Ok(loaded)
    }

    /// Executes a transaction and records it with what its execution reported (logs, inner
    /// instructions, fee, balances). Under `Admission::Land` a failed one lands with its error, as on a
    /// real cluster; under `Admission::Preflight` it is refused, with the logs of its execution.
    pub async fn execute(
        &mut self,
        tx: VersionedTransaction,
        admission: Admission,
    ) -> Result<Signature, BanksClientError> {
        if !signatures_verify(&tx) {
            return Err(BanksClientError::TransactionError(TransactionError::SignatureFailure));
        }
        if !self.is_blockhash_valid(tx.message.recent_blockhash()) {
            return Err(BanksClientError::TransactionError(TransactionError::BlockhashNotFound));
        }
        let signature = tx.signatures.first().copied().unwrap_or_default();
        let loaded = self.loaded_addresses(&tx.message).await.map_err(BanksClientError::TransactionError)?;
        let keys = account_keys(&tx.message, &loaded);
        let pre_accounts = self.accounts_before(&keys).await;
        // An error here is a transaction that was not committed (refused at preflight, expired
        // blockhash, duplicate, fee unpaid, ...): it did not land.
        let committed = self.test.execute_on_bank(tx.clone(), admission).map_err(|refused| match refused {
            BanksClientError::SimulationError { err, logs, units_consumed, return_data } => {
                let logs = lantern_runtime::event_logs::validator_logs(logs);
                BanksClientError::SimulationError { err, logs, units_consumed, return_data }
            }
            other => other,
        })?;
        let err = committed.status.clone().err();
        let fee = committed.fee_details.total_fee();
        let inner_instructions = map_inner_instructions(committed.inner_instructions.unwrap_or_default()).collect();
        // The runtime lets a transaction change only the accounts it locked writable: only those are read.
        let writable: Vec<Pubkey> =
            keys.iter().enumerate().filter(|(i, _)| tx.message.is_maybe_writable(*i, None)).map(|(_, k)| *k).collect();
        let mut changed = self.refresh_accounts(&writable).await.into_iter();
        let post_accounts: Vec<Option<Account>> = pre_accounts
            .iter()
            .enumerate()
            .map(
                |(i, before)| {
                    if tx.message.is_maybe_writable(i, None) {
                        changed.next().flatten()
                    } else {
                        before.clone()
                    }
                },
            )
            .collect();
        let lamports =
            |accounts: &[Option<Account>]| accounts.iter().map(|a| a.as_ref().map_or(0, |a| a.lamports)).collect();
        let (pre_balances, post_balances) = (lamports(&pre_accounts), lamports(&post_accounts));
        let pre_token_balances = self.token_balances(&pre_accounts).await;
        let post_token_balances = self.token_balances(&post_accounts).await;
        self.transaction_count += 1;
        self.history.push_back(signature);
        while self.history.len() > self.history_limit {
            if let Some(oldest) = self.history.pop_front() {
                self.transactions.remove(&oldest);
            }
        }
        let logs = lantern_runtime::event_logs::validator_logs(committed.log_messages.unwrap_or_default());
        let meta = TransactionStatusMeta {
            status: err.clone().map_or(Ok(()), Err),
            fee,
            pre_balances,
            post_balances,
            inner_instructions: Some(inner_instructions),
            log_messages: Some(logs.clone()),
            pre_token_balances: Some(pre_token_balances),
            post_token_balances: Some(post_token_balances),
            rewards: Some(Vec::new()),
            loaded_addresses: loaded,
            return_data: committed.return_data,
            compute_units_consumed: Some(committed.executed_units),
        };
        let record = TxRecord { slot: self.slot, block_time: self.now(), transaction: tx, meta };
        self.transactions.insert(signature, record);
        let _ = self.events.send(Arc::new(Event::Logs {
            signature,
            err: err.clone(),
            logs,
            accounts: keys,
            slot: self.slot,
        }));
        let _ = self.events.send(Arc::new(Event::Signature { signature, err, slot: self.slot }));
        Ok(signature)
    }

    /// What the stake program itself answers to `GetMinimumDelegation` (it depends on the features the
    /// runtime has on), read from a simulation's return data.
    pub async fn stake_minimum_delegation(&mut self) -> Result<u64, BanksClientError> {
        let payer = self.test.payer();
        let (blockhash, _) = self.latest_blockhash();
        let tx = Transaction::new_signed_with_payer(
            &[solana_sdk::stake::instruction::get_minimum_delegation()],
            Some(&payer.pubkey()),
            &[&payer],
            blockhash,
        );
        let data = self.simulate(VersionedTransaction::from(tx)).await.return_data.map(|r| r.data).unwrap_or_default();
        data.get(..8)
            .and_then(|bytes| bytes.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or(BanksClientError::ClientError("the stake program returned no minimum delegation"))
    }

    /// `requestAirdrop`: a real transfer from the genesis faucet.
    pub async fn airdrop(&mut self, to: Pubkey, lamports: u64) -> Result<Signature, BanksClientError> {
        let payer = self.test.payer();
        let (blockhash, _) = self.latest_blockhash();
        let tx = Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), &to, lamports)],
            Some(&payer.pubkey()),
            &[&payer],
            blockhash,
        );
        self.execute(VersionedTransaction::from(tx), Admission::Land).await
    }
}
