//! The standard Solana JSON-RPC methods over the chain, plus `lantern_*` test methods behind a flag.
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding, UiDataSliceConfig};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcBlockConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
    RpcSignaturesForAddressConfig, RpcSimulateTransactionAccountsConfig, RpcSimulateTransactionConfig,
    RpcTransactionConfig,
};
use solana_rpc_client_api::response::{
    RpcAccountBalance, RpcBlockCommitment, RpcBlockProduction, RpcBlockProductionRange, RpcBlockhash,
    RpcConfirmedTransactionStatusWithSignature, RpcContactInfo, RpcIdentity, RpcInflationGovernor, RpcInflationRate,
    RpcKeyedAccount, RpcLeaderSchedule, RpcPerfSample, RpcPrioritizationFee, RpcSimulateTransactionResult, RpcSupply,
    RpcTokenAccountBalance, RpcVersionInfo, RpcVoteAccountStatus,
};
use solana_sdk::message::AccountKeys;
use solana_sdk::{
    account::Account,
    clock::Slot,
    epoch_info::EpochInfo,
    epoch_schedule::EpochSchedule,
    hash::Hash,
    pubkey::Pubkey,
    signature::Signature,
    transaction::{TransactionError, VersionedTransaction},
};
use solana_transaction_status::{
    parse_ui_inner_instructions, BlockEncodingOptions, EncodeError, EncodedConfirmedTransactionWithStatusMeta,
    TransactionConfirmationStatus, TransactionDetails, TransactionStatus, UiTransactionEncoding,
    UiTransactionReturnData, VersionedTransactionWithStatusMeta,
};
use tokio::sync::Mutex;

use crate::chain::{signatures_verify, ui_token_amount, Chain, Simulation};
use crate::encoding::{self, with_context, DataEncoding};
use lantern_runtime::solana_program_test::BanksClientError;

pub type Shared = Arc<Mutex<Chain>>;

#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(-32602, format!("Invalid params: {}", message.into()))
    }

    pub fn internal(err: BanksClientError) -> Self {
        Self::new(-32603, format!("Internal error: {err}"))
    }

    fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

type RpcResult = Result<Value, RpcError>;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// `lantern_warpSlots` produces at most this many slots per call (an hour of 400 ms slots), so one
/// request cannot hold the chain for long.
const MAX_WARP_SLOTS: u64 = 9_000;

fn error_response(id: Value, error: RpcError) -> Value {
    json!({ "jsonrpc": "2.0", "error": error.to_json(), "id": id })
}

/// Handles one HTTP body: a request or a batch.
pub async fn handle_body(chain: &Shared, body: &[u8], test_methods: bool) -> Value {
    let request: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return error_response(Value::Null, RpcError::new(-32700, format!("Parse error: {e}"))),
    };
    match request {
        Value::Array(batch) if !batch.is_empty() => {
            let mut responses = Vec::with_capacity(batch.len());
            for item in batch {
                responses.push(handle_request(chain, item, test_methods).await);
            }
            Value::Array(responses)
        }
        single => handle_request(chain, single, test_methods).await,
    }
}

async fn handle_request(chain: &Shared, request: Value, test_methods: bool) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return error_response(
            id,
            RpcError::new(-32600, "Invalid request: a JSON-RPC 2.0 object with a method is expected"),
        );
    };
    let params = match request.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return error_response(id, RpcError::invalid_params("params must be an array")),
    };
    match dispatch(chain, method, &params, test_methods).await {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }),
        Err(error) => error_response(id, error),
    }
}

fn param<T: DeserializeOwned>(params: &[Value], index: usize, name: &str) -> Result<T, RpcError> {
    let value = params.get(index).ok_or_else(|| RpcError::invalid_params(format!("missing `{name}`")))?;
    serde_json::from_value(value.clone()).map_err(|e| RpcError::invalid_params(format!("`{name}`: {e}")))
}

fn optional<T: DeserializeOwned + Default>(params: &[Value], index: usize, name: &str) -> Result<T, RpcError> {
    match params.get(index) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(_) => param(params, index, name),
    }
}

fn pubkey(params: &[Value], index: usize, name: &str) -> Result<Pubkey, RpcError> {
    let text: String = param(params, index, name)?;
    Pubkey::from_str(&text)
        .map_err(|_| RpcError::invalid_params(format!("`{name}` is not a base58 public key: {text}")))
}

fn signature(text: &str) -> Result<Signature, RpcError> {
    Signature::from_str(text).map_err(|_| RpcError::invalid_params(format!("not a base58 signature: {text}")))
}

fn data_encoding(config: &RpcAccountInfoConfig) -> Result<DataEncoding, RpcError> {
    DataEncoding::of(config).map_err(RpcError::invalid_params)
}

fn account_value(
    chain: &Chain,
    key: &Pubkey,
    account: Option<Account>,
    encoding: DataEncoding,
    slice: Option<&UiDataSliceConfig>,
) -> Option<UiAccount> {
    match account {
        Some(a) if a.lamports > 0 || !a.data.is_empty() => {
            Some(encoding::ui_account(key, &a, encoding, slice, chain.token_decimals(&a)))
        }
        _ => None,
    }
}

/// `simulateTransaction`'s `accounts`, as a validator answers them: each requested address as the
/// transaction left it, `null` where the transaction did not load it or failed; at most as many
/// addresses as the transaction names, and no base58 (`loaded` is how many it names).
fn simulated_accounts(
    chain: &Chain,
    simulation: &Simulation,
    loaded: usize,
    requested: RpcSimulateTransactionAccountsConfig,
) -> Result<Vec<Option<UiAccount>>, RpcError> {
    let encoding = match requested.encoding.unwrap_or(UiAccountEncoding::Base64) {
        UiAccountEncoding::Binary | UiAccountEncoding::Base58 => {
            return Err(RpcError::invalid_params("base58 encoding not supported"))
        }
        other => DataEncoding::parse(Some(&encoding::wire_name(&other))).map_err(RpcError::invalid_params)?,
    };
    if requested.addresses.len() > loaded {
        return Err(RpcError::invalid_params(format!("Too many accounts provided; max {loaded}")));
    }
    requested
        .addresses
        .iter()
        .map(|text| {
            let key = Pubkey::from_str(text).map_err(|_| {
                RpcError::invalid_params(format!("`accounts.addresses`: not a base58 public key: {text}"))
            })?;
            let left = simulation.err.is_none().then(|| simulation.accounts.iter().find(|(k, _)| *k == key)).flatten();
            Ok(left.map(|(key, account)| {
                let account = Account::from(account.clone());
                encoding::ui_account(key, &account, encoding, None, chain.token_decimals(&account))
            }))
        })
        .collect()
}

/// A failed preflight, in the shape web3.js turns into a `SendTransactionError` with logs.
fn simulation_failed(err: &TransactionError, logs: Vec<String>, units: u64) -> RpcError {
    RpcError {
        code: -32002,
        message: format!("Transaction simulation failed: {err}"),
        data: Some(json!(RpcSimulateTransactionResult {
            err: Some(err.clone()),
            logs: Some(logs),
            accounts: None,
            units_consumed: Some(units),
            return_data: None,
            inner_instructions: None,
            replacement_blockhash: None,
        })),
    }
}

/// A validator's signature check before a preflight or a `sigVerify` simulation (a send without
/// preflight is checked when it executes).
fn verify_signatures(tx: &VersionedTransaction) -> Result<(), RpcError> {
    match signatures_verify(tx) {
        true => Ok(()),
        false => Err(submit_error(BanksClientError::TransactionError(TransactionError::SignatureFailure))),
    }
}

fn submit_error(err: BanksClientError) -> RpcError {
    match err {
        BanksClientError::TransactionError(TransactionError::SignatureFailure) => {
            RpcError::new(-32003, "Transaction signature verification failure")
        }
        BanksClientError::TransactionError(e) | BanksClientError::SimulationError { err: e, .. } => {
            simulation_failed(&e, vec![], 0)
        }
        other => RpcError::internal(other),
    }
}

async fn dispatch(chain: &Shared, method: &str, params: &[Value], test_methods: bool) -> RpcResult {
    let mut chain = chain.lock().await;
    let slot = chain.slot();
    match method {
        "getHealth" => Ok(json!("ok")),
        "getVersion" => {
            Ok(json!(RpcVersionInfo { solana_core: encoding::SOLANA_VERSION.to_owned(), feature_set: Some(0) }))
        }
        "getGenesisHash" => Ok(json!(chain.genesis_hash.to_string())),
        "getSlot" => Ok(json!(slot)),
        "getBlockHeight" => Ok(json!(chain.block_height())),
        "getTransactionCount" => Ok(json!(chain.transaction_count())),
        "getEpochInfo" => {
            let schedule: EpochSchedule = chain.test.ctx.banks_client.get_sysvar().await.map_err(RpcError::internal)?;
            let (epoch, slot_index) = schedule.get_epoch_and_slot_index(slot);
            Ok(json!(EpochInfo {
                epoch,
                slot_index,
                slots_in_epoch: schedule.get_slots_in_epoch(epoch),
                absolute_slot: slot,
                block_height: chain.block_height(),
                transaction_count: Some(chain.transaction_count()),
            }))
        }
        "getLatestBlockhash" => {
            let (hash, last_valid) = chain.latest_blockhash();
            Ok(with_context(
                slot,
                json!(RpcBlockhash { blockhash: hash.to_string(), last_valid_block_height: last_valid }),
            ))
        }
        "isBlockhashValid" => {
            let text: String = param(params, 0, "blockhash")?;
            let hash =
                Hash::from_str(&text).map_err(|_| RpcError::invalid_params(format!("not a blockhash: {text}")))?;
            Ok(with_context(slot, json!(chain.is_blockhash_valid(&hash))))
        }
        "getMinimumBalanceForRentExemption" => {
            let size: usize = param(params, 0, "data length")?;
            let rent = chain.test.ctx.banks_client.get_rent().await.map_err(RpcError::internal)?;
            Ok(json!(rent.minimum_balance(size)))
        }
        "getFeeForMessage" => {
            let text: String = param(params, 0, "message")?;
            let message = encoding::decode_message(&text).map_err(RpcError::invalid_params)?;
            Ok(with_context(slot, json!(chain.fee_for(&message).await)))
        }
        "getRecentPrioritizationFees" => {
            let texts: Vec<String> = optional(params, 0, "addresses")?;
            if texts.len() > 128 {
                return Err(RpcError::invalid_params("Too many inputs provided; max 128"));
            }
            let accounts = texts
                .iter()
                .map(|text| {
                    Pubkey::from_str(text).map_err(|_| RpcError::invalid_params(format!("not a public key: {text}")))
                })
                .collect::<Result<Vec<Pubkey>, RpcError>>()?;
            let fees: Vec<RpcPrioritizationFee> = chain
                .prioritization_fees(&accounts)
                .into_iter()
                .map(|(slot, prioritization_fee)| RpcPrioritizationFee { slot, prioritization_fee })
                .collect();
            Ok(json!(fees))
        }
        "getBalance" => {
            let key = pubkey(params, 0, "pubkey")?;
            let lamports = chain.account(&key).map_or(0, |a| a.lamports);
            Ok(with_context(slot, json!(lamports)))
        }
        "getAccountInfo" => {
            let key = pubkey(params, 0, "pubkey")?;
            let config: RpcAccountInfoConfig = optional(params, 1, "config")?;
            let encoding = data_encoding(&config)?;
            let account = chain.account(&key);
            Ok(with_context(slot, account_value(&chain, &key, account, encoding, config.data_slice.as_ref())))
        }
        "getMultipleAccounts" => {
            let keys: Vec<String> = param(params, 0, "pubkeys")?;
            if keys.len() > 100 {
                return Err(RpcError::invalid_params("at most 100 accounts per request"));
            }
            let config: RpcAccountInfoConfig = optional(params, 1, "config")?;
            let encoding = data_encoding(&config)?;
            let mut values = Vec::with_capacity(keys.len());
            for text in keys {
                let key = Pubkey::from_str(&text)
                    .map_err(|_| RpcError::invalid_params(format!("not a base58 public key: {text}")))?;
                let account = chain.account(&key);
                values.push(account_value(&chain, &key, account, encoding, config.data_slice.as_ref()));
            }
            Ok(with_context(slot, json!(values)))
        }
        "getProgramAccounts" => {
            let program = pubkey(params, 0, "program id")?;
            let config: RpcProgramAccountsConfig = optional(params, 1, "config")?;
            let encoding = data_encoding(&config.account_config)?;
            let filters = config.filters.unwrap_or_default();
            for filter in &filters {
                filter.verify().map_err(|e| RpcError::invalid_params(format!("filter: {e}")))?;
            }
            let items: Vec<RpcKeyedAccount> = chain
                .program_accounts(program)
                .filter(|(_, account)| filters.iter().all(|f| encoding::filter_allows(f, account)))
                .map(|(key, account)| {
                    let ui = encoding::ui_account(
                        key,
                        account,
                        encoding,
                        config.account_config.data_slice.as_ref(),
                        chain.token_decimals(account),
                    );
                    RpcKeyedAccount { pubkey: key.to_string(), account: ui }
                })
                .collect();
            Ok(if config.with_context.unwrap_or(false) { with_context(slot, json!(items)) } else { json!(items) })
        }
        "getTokenAccountBalance" => {
            let key = pubkey(params, 0, "token account")?;
            let account = chain.account(&key);
            let token = account
                .filter(|a| a.owner == spl_token::ID)
                .and_then(|a| <spl_token::state::Account as solana_sdk::program_pack::Pack>::unpack(&a.data).ok())
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token account"))?;
            let decimals = mint_decimals(&mut chain, &token.mint).await?;
            Ok(with_context(slot, json!(ui_token_amount(token.amount, decimals))))
        }
        "getTokenSupply" => {
            let key = pubkey(params, 0, "mint")?;
            let mint = chain.account(&key);
            let mint = mint
                .filter(|a| a.owner == spl_token::ID)
                .and_then(|a| <spl_token::state::Mint as solana_sdk::program_pack::Pack>::unpack(&a.data).ok())
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token mint"))?;
            Ok(with_context(slot, json!(ui_token_amount(mint.supply, mint.decimals))))
        }
        "getTokenLargestAccounts" => {
            let mint = pubkey(params, 0, "mint")?;
            let decimals = mint_decimals(&mut chain, &mint).await?;
            let mut holders: Vec<(Pubkey, u64)> =
                token_accounts(&chain, |t| t.mint == mint).map(|(key, _, t)| (key, t.amount)).collect();
            holders.sort_by_key(|h| std::cmp::Reverse(h.1));
            let largest: Vec<RpcTokenAccountBalance> = holders
                .into_iter()
                .take(20)
                .map(|(key, amount)| RpcTokenAccountBalance {
                    address: key.to_string(),
                    amount: ui_token_amount(amount, decimals),
                })
                .collect();
            Ok(with_context(slot, json!(largest)))
        }
        "getTokenAccountsByOwner"
        | "getParsedTokenAccountsByOwner"
        | "getTokenAccountsByDelegate"
        | "getParsedTokenAccountsByDelegate" => {
            let by_delegate = method.contains("Delegate");
            let owner = pubkey(params, 0, if by_delegate { "delegate" } else { "owner" })?;
            let filter: Value = param(params, 1, "filter")?;
            let by_mint = filter.get("mint").and_then(Value::as_str).map(Pubkey::from_str);
            let by_program = filter.get("programId").and_then(Value::as_str).map(Pubkey::from_str);
            let mint = match (by_mint, by_program) {
                (Some(Ok(mint)), None) => Some(mint),
                (None, Some(Ok(program))) if program == spl_token::ID => None,
                (None, Some(Ok(_))) => return Ok(with_context(slot, json!([]))),
                _ => return Err(RpcError::invalid_params("expected { mint } or { programId }")),
            };
            let config: RpcAccountInfoConfig = optional(params, 2, "config")?;
            let encoding = match method {
                "getParsedTokenAccountsByOwner" | "getParsedTokenAccountsByDelegate" => DataEncoding::JsonParsed,
                _ => data_encoding(&config)?,
            };
            let found: Vec<(Pubkey, Account, spl_token::state::Account)> = token_accounts(&chain, |t| {
                let holder = if by_delegate { t.delegate.into() } else { Some(t.owner) };
                holder == Some(owner) && mint.is_none_or(|m| t.mint == m)
            })
            .map(|(key, account, token)| (key, account.clone(), token))
            .collect();
            let mut items = Vec::with_capacity(found.len());
            for (key, account, token) in found {
                let decimals = mint_decimals(&mut chain, &token.mint).await?;
                let ui = encoding::ui_account(&key, &account, encoding, config.data_slice.as_ref(), Some(decimals));
                items.push(RpcKeyedAccount { pubkey: key.to_string(), account: ui });
            }
            Ok(with_context(slot, json!(items)))
        }
        "getEpochSchedule" => {
            let schedule: EpochSchedule = chain.test.ctx.banks_client.get_sysvar().await.map_err(RpcError::internal)?;
            Ok(json!(schedule))
        }
        // A single-node cluster, as solana-test-validator reports itself.
        "getIdentity" => Ok(json!(RpcIdentity { identity: identity(&chain).to_string() })),
        "getSlotLeader" => Ok(json!(identity(&chain).to_string())),
        "getClusterNodes" => Ok(json!([RpcContactInfo {
            pubkey: identity(&chain).to_string(),
            gossip: None,
            tvu: None,
            tpu: None,
            tpu_quic: None,
            tpu_forwards: None,
            tpu_forwards_quic: None,
            tpu_vote: None,
            serve_repair: None,
            rpc: None,
            pubsub: None,
            version: Some(encoding::SOLANA_VERSION.to_owned()),
            feature_set: None,
            shred_version: None,
        }])),
        "getVoteAccounts" => Ok(json!(RpcVoteAccountStatus { current: vec![], delinquent: vec![] })),
        "minimumLedgerSlot" | "getFirstAvailableBlock" => Ok(json!(0)),
        "getMaxRetransmitSlot" | "getMaxShredInsertSlot" => Ok(json!(slot)),
        "getHighestSnapshotSlot" => Err(RpcError::new(-32008, "No snapshot")),
        // Every slot holds a block here: the chain produces one per slot, empty or not.
        "getBlocks" => {
            let start: Slot = param(params, 0, "start slot")?;
            let end: Slot = optional::<Option<Slot>>(params, 1, "end slot")?.unwrap_or(slot).min(slot);
            if end.saturating_sub(start) > 500_000 {
                return Err(RpcError::invalid_params("Slot range too large; max 500000"));
            }
            Ok(json!((start..=end).collect::<Vec<Slot>>()))
        }
        "getBlocksWithLimit" => {
            let start: Slot = param(params, 0, "start slot")?;
            let limit: u64 = param(params, 1, "limit")?;
            if limit > 500_000 {
                return Err(RpcError::invalid_params("Limit too large; max 500000"));
            }
            let end = start.saturating_add(limit).min(slot.saturating_add(1));
            Ok(json!((start..end).collect::<Vec<Slot>>()))
        }
        "getBlockTime" => {
            let at: Slot = param(params, 0, "slot")?;
            chain.block(at).map(|(block, _)| json!(block.time)).ok_or_else(|| block_unavailable(&chain, at))
        }
        "getBlockCommitment" => Ok(json!(RpcBlockCommitment::<Vec<u64>> { commitment: None, total_stake: 0 })),
        "getBlockProduction" => {
            let produced = usize::try_from(slot + 1).unwrap_or(usize::MAX);
            Ok(with_context(
                slot,
                json!(RpcBlockProduction {
                    by_identity: HashMap::from([(identity(&chain).to_string(), (produced, produced))]),
                    range: RpcBlockProductionRange { first_slot: 0, last_slot: slot },
                }),
            ))
        }
        "getInflationReward" => {
            let addresses: Vec<String> = param(params, 0, "addresses")?;
            Ok(json!(addresses.iter().map(|_| Value::Null).collect::<Vec<_>>()))
        }
        "getLargestAccounts" => {
            let mut largest: Vec<(&Pubkey, u64)> = chain.accounts().map(|(k, a)| (k, a.lamports)).collect();
            largest.sort_by_key(|(_, lamports)| std::cmp::Reverse(*lamports));
            let value: Vec<RpcAccountBalance> = largest
                .into_iter()
                .take(20)
                .map(|(k, lamports)| RpcAccountBalance { address: k.to_string(), lamports })
                .collect();
            Ok(with_context(slot, json!(value)))
        }
        "getSupply" => {
            // Every account the chain indexes: all of them but the genesis programs and sysvars no
            // transaction has touched.
            // Nothing is locked up on a local chain, so all of it circulates.
            let total: u64 = chain.accounts().map(|(_, a)| a.lamports).sum();
            let value =
                RpcSupply { total, circulating: total, non_circulating: 0, non_circulating_accounts: Vec::new() };
            Ok(with_context(slot, json!(value)))
        }
        "getLeaderSchedule" => {
            // A single-node cluster: this node leads every slot of the epoch.
            let at: Slot = optional::<Option<Slot>>(params, 0, "slot")?.unwrap_or(slot);
            let config: Value = optional(params, 1, "config")?;
            let me = identity(&chain).to_string();
            let mut leaders = RpcLeaderSchedule::new();
            if config.get("identity").and_then(Value::as_str).is_none_or(|who| who == me) {
                let schedule = &chain.test.ctx.genesis_config().epoch_schedule;
                let slots = schedule.get_slots_in_epoch(schedule.get_epoch(at));
                leaders.insert(me, (0..usize::try_from(slots).unwrap_or(usize::MAX)).collect());
            }
            Ok(json!(leaders))
        }
        "getSlotLeaders" => {
            let _start: Slot = param(params, 0, "start slot")?;
            let limit: usize = param(params, 1, "limit")?;
            if limit > 5_000 {
                return Err(RpcError::invalid_params("Invalid limit; max 5000"));
            }
            Ok(json!(vec![identity(&chain).to_string(); limit]))
        }
        "getRecentPerformanceSamples" => {
            let limit: usize = optional::<Option<usize>>(params, 0, "limit")?.unwrap_or(720);
            if limit > 720 {
                return Err(RpcError::invalid_params("Invalid limit; max 720"));
            }
            let samples: Vec<RpcPerfSample> = chain
                .performance_samples(limit)
                .map(|s| RpcPerfSample {
                    slot: s.slot,
                    num_transactions: s.transactions,
                    num_non_vote_transactions: Some(s.transactions),
                    num_slots: s.slots,
                    sample_period_secs: s.period_secs,
                })
                .collect();
            Ok(json!(samples))
        }
        "getStakeMinimumDelegation" => {
            let lamports = chain.stake_minimum_delegation().await.map_err(RpcError::internal)?;
            Ok(with_context(slot, json!(lamports)))
        }
        "getInflationRate" => {
            let genesis = chain.test.ctx.genesis_config();
            let schedule = &genesis.epoch_schedule;
            let epoch = schedule.get_epoch(slot);
            let year = schedule.get_first_slot_in_epoch(epoch) as f64 / genesis.slots_per_year();
            let inflation = genesis.inflation;
            Ok(json!(RpcInflationRate {
                total: inflation.total(year),
                validator: inflation.validator(year),
                foundation: inflation.foundation(year),
                epoch,
            }))
        }
        "getInflationGovernor" => {
            let inflation = chain.test.ctx.genesis_config().inflation;
            Ok(json!(RpcInflationGovernor::from(inflation)))
        }
        "sendTransaction" => {
            let text: String = param(params, 0, "transaction")?;
            let config: RpcSendTransactionConfig = optional(params, 1, "config")?;
            let encoding = config.encoding.map(|e| encoding::wire_name(&e));
            let tx = encoding::decode_transaction(&text, encoding.as_deref()).map_err(RpcError::invalid_params)?;
            if !config.skip_preflight {
                verify_signatures(&tx)?;
                let simulation = chain.simulate(tx.clone()).await;
                if let Some(err) = simulation.err {
                    return Err(simulation_failed(&err, simulation.logs, simulation.units_consumed));
                }
            }
            let signature = chain.execute(tx).await.map_err(submit_error)?;
            Ok(json!(signature.to_string()))
        }
        "simulateTransaction" => {
            let text: String = param(params, 0, "transaction")?;
            let config: RpcSimulateTransactionConfig = optional(params, 1, "config")?;
            let encoding = config.encoding.map(|e| encoding::wire_name(&e));
            let mut tx = encoding::decode_transaction(&text, encoding.as_deref()).map_err(RpcError::invalid_params)?;
            if config.sig_verify {
                if config.replace_recent_blockhash {
                    return Err(RpcError::invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
                }
                verify_signatures(&tx)?;
            }
            let mut replacement_blockhash = None;
            if config.replace_recent_blockhash {
                let (hash, last_valid_block_height) = chain.latest_blockhash();
                tx.message.set_recent_blockhash(hash);
                replacement_blockhash = Some(RpcBlockhash { blockhash: hash.to_string(), last_valid_block_height });
            }
            let keys = chain.account_keys(&tx.message).await;
            let simulation = chain.simulate(tx).await;
            let accounts =
                config.accounts.map(|requested| simulated_accounts(&chain, &simulation, keys.len(), requested));
            // As a validator answers: inner instructions parsed where Solana parses them.
            let inner_instructions = config.inner_instructions.then(|| {
                let keys = AccountKeys::new(&keys, None);
                simulation.inner_instructions.into_iter().map(|list| parse_ui_inner_instructions(list, &keys)).collect()
            });
            Ok(with_context(
                slot,
                json!(RpcSimulateTransactionResult {
                    err: simulation.err,
                    logs: Some(simulation.logs),
                    accounts: accounts.transpose()?,
                    units_consumed: Some(simulation.units_consumed),
                    return_data: simulation.return_data.map(UiTransactionReturnData::from),
                    inner_instructions,
                    replacement_blockhash,
                }),
            ))
        }
        "getSignatureStatuses" => {
            let texts: Vec<String> = param(params, 0, "signatures")?;
            if texts.len() > 256 {
                return Err(RpcError::invalid_params("at most 256 signatures per request"));
            }
            let mut statuses = Vec::with_capacity(texts.len());
            for text in texts {
                let sig = signature(&text)?;
                statuses.push(chain.transaction(&sig).map(|record| TransactionStatus {
                    slot: record.slot,
                    confirmations: None,
                    status: record.meta.status.clone(),
                    err: record.err(),
                    confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                }));
            }
            Ok(with_context(slot, json!(statuses)))
        }
        "getSignaturesForAddress" => {
            let address = pubkey(params, 0, "address")?;
            let config: RpcSignaturesForAddressConfig = optional(params, 1, "config")?;
            let limit = config.limit.unwrap_or(1_000);
            if !(1..=1_000).contains(&limit) {
                return Err(RpcError::invalid_params("Invalid limit; max 1000"));
            }
            let before = config.before.as_deref().map(signature).transpose()?;
            let until = config.until.as_deref().map(signature).transpose()?;
            let statuses: Vec<RpcConfirmedTransactionStatusWithSignature> = chain
                .signatures_for_address(&address, before, until, limit)
                .into_iter()
                .map(|(sig, record)| RpcConfirmedTransactionStatusWithSignature {
                    signature: sig.to_string(),
                    slot: record.slot,
                    err: record.err(),
                    memo: None,
                    block_time: Some(record.block_time),
                    confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                })
                .collect();
            Ok(json!(statuses))
        }
        "getTransaction" => {
            let text: String = param(params, 0, "signature")?;
            let sig = signature(&text)?;
            let config: RpcTransactionConfig = match params.get(1) {
                Some(Value::String(enc)) => RpcTransactionConfig {
                    encoding: serde_json::from_value(json!(enc))
                        .map_err(|e| RpcError::invalid_params(e.to_string()))?,
                    ..RpcTransactionConfig::default()
                },
                _ => optional(params, 1, "config")?,
            };
            let Some(record) = chain.transaction(&sig) else { return Ok(Value::Null) };
            let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Json);
            let transaction = VersionedTransactionWithStatusMeta::from(record.clone())
                .encode(encoding, config.max_supported_transaction_version, true)
                .map_err(unsupported_version)?;
            Ok(json!(EncodedConfirmedTransactionWithStatusMeta {
                slot: record.slot,
                transaction,
                block_time: Some(record.block_time),
            }))
        }
        "getBlock" => {
            let at: Slot = param(params, 0, "slot")?;
            let config: RpcBlockConfig = match params.get(1) {
                Some(Value::String(enc)) => RpcBlockConfig {
                    encoding: serde_json::from_value(json!(enc))
                        .map_err(|e| RpcError::invalid_params(e.to_string()))?,
                    ..RpcBlockConfig::default()
                },
                _ => optional(params, 1, "config")?,
            };
            let Some(confirmed) = chain.confirmed_block(at, None) else { return Err(block_unavailable(&chain, at)) };
            let options = BlockEncodingOptions {
                transaction_details: config.transaction_details.unwrap_or(TransactionDetails::Full),
                show_rewards: config.rewards.unwrap_or(true),
                max_supported_transaction_version: config.max_supported_transaction_version,
            };
            let encoded = confirmed
                .encode_with_options(config.encoding.unwrap_or(UiTransactionEncoding::Json), options)
                .map_err(unsupported_version)?;
            Ok(json!(encoded))
        }
        "requestAirdrop" => {
            let key = pubkey(params, 0, "pubkey")?;
            let lamports: u64 = param(params, 1, "lamports")?;
            if lamports == 0 {
                return Err(RpcError::invalid_params("lamports must be positive"));
            }
            let sig = chain.airdrop(key, lamports).await.map_err(submit_error)?;
            Ok(json!(sig.to_string()))
        }
        "lantern_warpTime" | "lantern_warpSlots" | "lantern_setAccount" if !test_methods => Err(RpcError::new(
            -32601,
            format!("Method not found: {method} is a test method; start the local chain with --test-methods to use it"),
        )),
        "lantern_warpTime" => {
            let secs: i64 = param(params, 0, "seconds")?;
            if secs < 0 {
                return Err(RpcError::invalid_params("time only moves forward"));
            }
            chain.warp_time(secs).await;
            Ok(json!({ "unixTimestamp": chain.now() }))
        }
        "lantern_warpSlots" => {
            let count: u64 = param(params, 0, "slots")?;
            if count == 0 || count > MAX_WARP_SLOTS {
                return Err(RpcError::invalid_params(format!("warp by 1 to {MAX_WARP_SLOTS} slots at a time")));
            }
            chain.warp_slots(count).await;
            Ok(json!({ "slot": chain.slot(), "blockHeight": chain.block_height() }))
        }
        "lantern_setAccount" => {
            let key = pubkey(params, 0, "pubkey")?;
            let spec: AccountSpec = param(params, 1, "account")?;
            let owner =
                Pubkey::from_str(&spec.owner).map_err(|_| RpcError::invalid_params("`owner` is not a public key"))?;
            let data = encoding::decode_base64(&spec.data).map_err(RpcError::invalid_params)?;
            chain
                .set_account(
                    key,
                    Account { lamports: spec.lamports, data, owner, executable: spec.executable, rent_epoch: u64::MAX },
                )
                .await;
            Ok(Value::Null)
        }
        _ => Err(RpcError::new(-32601, format!("Method not found: {method}"))),
    }
}

#[derive(serde::Deserialize)]
struct AccountSpec {
    lamports: u64,
    owner: String,
    /// base64
    data: String,
    #[serde(default)]
    executable: bool,
}

/// SPL Token accounts in the chain's account index that `keep` selects.
fn token_accounts<'a>(
    chain: &'a Chain,
    keep: impl Fn(&spl_token::state::Account) -> bool + 'a,
) -> impl Iterator<Item = (Pubkey, &'a Account, spl_token::state::Account)> + 'a {
    chain.program_accounts(spl_token::ID).filter_map(move |(key, account)| {
        let token = <spl_token::state::Account as solana_sdk::program_pack::Pack>::unpack(&account.data).ok()?;
        keep(&token).then_some((*key, account, token))
    })
}

async fn mint_decimals(chain: &mut Chain, mint: &Pubkey) -> Result<u8, RpcError> {
    chain
        .decimals_of(mint)
        .await
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: {mint} is not a Token mint")))
}

/// The node's identity: fixed per chain (derived from its genesis hash).
fn identity(chain: &Chain) -> Pubkey {
    Pubkey::new_from_array(chain.genesis_hash.to_bytes())
}

/// `getBlock`/`getBlockTime` for a slot the chain cannot show: not produced yet, or forgotten.
fn block_unavailable(chain: &Chain, at: Slot) -> RpcError {
    if at > chain.slot() {
        RpcError::new(-32004, format!("Block not available for slot {at}"))
    } else {
        RpcError::new(
            -32009,
            format!(
                "Slot {at} was skipped, or missing in long-term storage (kept from slot {})",
                chain.first_remembered_slot()
            ),
        )
    }
}

/// `EncodeError`, as the validator words it.
pub fn unsupported_version(err: EncodeError) -> RpcError {
    let EncodeError::UnsupportedTransactionVersion(version) = err;
    RpcError::new(
        -32015,
        format!("Transaction version ({version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": {version}"),
    )
}
