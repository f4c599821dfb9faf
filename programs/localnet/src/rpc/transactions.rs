//! Transactions: blockhashes and fees, sending and simulating, statuses and history.
use std::str::FromStr;
// jsonrpsee clones a result; the Solana type is not `Clone`, so it travels behind an `Arc`.
use std::sync::Arc;

use jsonrpsee::proc_macros::rpc;
use serde_json::json;
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding};
use solana_rpc_client_api::config::{
    RpcContextConfig, RpcEncodingConfigWrapper, RpcRequestAirdropConfig, RpcSendTransactionConfig,
    RpcSignatureStatusConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionAccountsConfig,
    RpcSimulateTransactionConfig, RpcTransactionConfig,
};
use solana_rpc_client_api::response::{
    Response as RpcResponse, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcPrioritizationFee,
    RpcSimulateTransactionResult,
};
use solana_sdk::message::AccountKeys;
use solana_sdk::{
    account::Account,
    hash::Hash,
    transaction::{TransactionError, VersionedTransaction},
};
use solana_transaction_status::{
    parse_ui_inner_instructions, EncodedConfirmedTransactionWithStatusMeta, TransactionConfirmationStatus,
    TransactionStatus, UiTransactionEncoding, UiTransactionReturnData, VersionedTransactionWithStatusMeta,
};

use super::blocks::unsupported_version;
use super::{parse_pubkey, parse_signature, RpcError, RpcResult};
use crate::chain::{signatures_verify, Admission, Chain, Simulation};
use crate::encoding::{self, response, DataEncoding};
use crate::node::Node;
use lantern_runtime::solana_program_test::BanksClientError;

/// Limits a validator applies to these methods' inputs.
const MAX_PRIORITIZATION_FEE_ACCOUNTS: usize = 128;
const MAX_SIGNATURE_STATUSES: usize = 256;
const MAX_SIGNATURES_FOR_ADDRESS: usize = 1_000;

#[rpc(server)]
pub trait TransactionsRpc {
    #[method(name = "getLatestBlockhash")]
    fn get_latest_blockhash(&self, config: Option<RpcContextConfig>) -> RpcResult<RpcResponse<RpcBlockhash>>;
    #[method(name = "isBlockhashValid")]
    fn is_blockhash_valid(&self, blockhash: String, config: Option<RpcContextConfig>) -> RpcResult<RpcResponse<bool>>;
    #[method(name = "getFeeForMessage")]
    fn get_fee_for_message(
        &self,
        message: String,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<RpcResponse<Option<u64>>>;
    #[method(name = "getRecentPrioritizationFees")]
    fn get_recent_prioritization_fees(&self, addresses: Option<Vec<String>>) -> RpcResult<Vec<RpcPrioritizationFee>>;
    #[method(name = "sendTransaction")]
    fn send_transaction(&self, transaction: String, config: Option<RpcSendTransactionConfig>) -> RpcResult<String>;
    #[method(name = "simulateTransaction")]
    fn simulate_transaction(
        &self,
        transaction: String,
        config: Option<RpcSimulateTransactionConfig>,
    ) -> RpcResult<RpcResponse<RpcSimulateTransactionResult>>;
    #[method(name = "getSignatureStatuses")]
    fn get_signature_statuses(
        &self,
        signatures: Vec<String>,
        config: Option<RpcSignatureStatusConfig>,
    ) -> RpcResult<RpcResponse<Vec<Option<TransactionStatus>>>>;
    #[method(name = "getSignaturesForAddress")]
    fn get_signatures_for_address(
        &self,
        address: String,
        config: Option<RpcSignaturesForAddressConfig>,
    ) -> RpcResult<Vec<RpcConfirmedTransactionStatusWithSignature>>;
    #[method(name = "getTransaction")]
    fn get_transaction(
        &self,
        signature: String,
        config: Option<RpcEncodingConfigWrapper<RpcTransactionConfig>>,
    ) -> RpcResult<Option<Arc<EncodedConfirmedTransactionWithStatusMeta>>>;
    #[method(name = "requestAirdrop")]
    fn request_airdrop(
        &self,
        pubkey: String,
        lamports: u64,
        config: Option<RpcRequestAirdropConfig>,
    ) -> RpcResult<String>;
}

fn decode(text: &str, encoding: Option<UiTransactionEncoding>) -> RpcResult<VersionedTransaction> {
    let encoding = encoding.map(|e| encoding::wire_name(&e));
    encoding::decode_transaction(text, encoding.as_deref()).map_err(RpcError::invalid_params)
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

/// A validator's signature check for a `sigVerify` simulation (a send is checked when it executes).
fn verify_signatures(tx: &VersionedTransaction) -> RpcResult<()> {
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
        BanksClientError::SimulationError { err, logs, units_consumed, .. } => {
            simulation_failed(&err, logs, units_consumed)
        }
        BanksClientError::TransactionError(err) => simulation_failed(&err, vec![], 0),
        other => RpcError::internal(other),
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
) -> RpcResult<Vec<Option<UiAccount>>> {
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
            let key = parse_pubkey(text, "accounts.addresses")?;
            let left = simulation.err.is_none().then(|| simulation.accounts.iter().find(|(k, _)| *k == key)).flatten();
            Ok(left.map(|(key, account)| {
                let account = Account::from(account.clone());
                encoding::ui_account(key, &account, encoding, None, chain.token_decimals(&account))
            }))
        })
        .collect()
}

impl TransactionsRpcServer for Node {
    fn get_latest_blockhash(&self, _: Option<RpcContextConfig>) -> RpcResult<RpcResponse<RpcBlockhash>> {
        Ok(self.with(async |chain| {
            let (hash, last_valid_block_height) = chain.latest_blockhash();
            response(chain.slot(), RpcBlockhash { blockhash: hash.to_string(), last_valid_block_height })
        }))
    }

    fn is_blockhash_valid(&self, blockhash: String, _: Option<RpcContextConfig>) -> RpcResult<RpcResponse<bool>> {
        let hash = Hash::from_str(&blockhash)
            .map_err(|_| RpcError::invalid_params(format!("not a blockhash: {blockhash}")))?;
        Ok(self.with(async |chain| response(chain.slot(), chain.is_blockhash_valid(&hash))))
    }

    fn get_fee_for_message(&self, message: String, _: Option<RpcContextConfig>) -> RpcResult<RpcResponse<Option<u64>>> {
        let message = encoding::decode_message(&message).map_err(RpcError::invalid_params)?;
        Ok(self.with(async |chain| {
            let fee = chain.fee_for(&message).await;
            response(chain.slot(), fee)
        }))
    }

    fn get_recent_prioritization_fees(&self, addresses: Option<Vec<String>>) -> RpcResult<Vec<RpcPrioritizationFee>> {
        let addresses = addresses.unwrap_or_default();
        if addresses.len() > MAX_PRIORITIZATION_FEE_ACCOUNTS {
            return Err(RpcError::invalid_params(format!(
                "Too many inputs provided; max {MAX_PRIORITIZATION_FEE_ACCOUNTS}"
            )));
        }
        let accounts = addresses.iter().map(|text| parse_pubkey(text, "addresses")).collect::<RpcResult<Vec<_>>>()?;
        Ok(self.with(async |chain| {
            chain
                .prioritization_fees(&accounts)
                .into_iter()
                .map(|(slot, prioritization_fee)| RpcPrioritizationFee { slot, prioritization_fee })
                .collect()
        }))
    }

    /// The preflight is the execution itself (`Admission::Preflight`: a failing transaction is refused
    /// uncommitted, with its logs), where a validator simulates and then executes.
    fn send_transaction(&self, transaction: String, config: Option<RpcSendTransactionConfig>) -> RpcResult<String> {
        let config = config.unwrap_or_default();
        let tx = decode(&transaction, config.encoding)?;
        let admission = if config.skip_preflight { Admission::Land } else { Admission::Preflight };
        let signature = self.with(async |chain| chain.execute(tx, admission).await).map_err(submit_error)?;
        Ok(signature.to_string())
    }

    fn simulate_transaction(
        &self,
        transaction: String,
        config: Option<RpcSimulateTransactionConfig>,
    ) -> RpcResult<RpcResponse<RpcSimulateTransactionResult>> {
        let config = config.unwrap_or_default();
        let mut tx = decode(&transaction, config.encoding)?;
        if config.sig_verify {
            if config.replace_recent_blockhash {
                return Err(RpcError::invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
            }
            verify_signatures(&tx)?;
        }
        self.with(async |chain| {
            let mut replacement_blockhash = None;
            if config.replace_recent_blockhash {
                let (hash, last_valid_block_height) = chain.latest_blockhash();
                tx.message.set_recent_blockhash(hash);
                replacement_blockhash = Some(RpcBlockhash { blockhash: hash.to_string(), last_valid_block_height });
            }
            let keys = chain.account_keys(&tx.message).await;
            let simulation = chain.simulate(tx).await;
            let accounts = config
                .accounts
                .map(|requested| simulated_accounts(chain, &simulation, keys.len(), requested))
                .transpose()?;
            // As a validator answers: inner instructions parsed where Solana parses them.
            let inner_instructions = config.inner_instructions.then(|| {
                let keys = AccountKeys::new(&keys, None);
                simulation.inner_instructions.into_iter().map(|list| parse_ui_inner_instructions(list, &keys)).collect()
            });
            Ok(response(
                chain.slot(),
                RpcSimulateTransactionResult {
                    err: simulation.err,
                    logs: Some(simulation.logs),
                    accounts,
                    units_consumed: Some(simulation.units_consumed),
                    return_data: simulation.return_data.map(UiTransactionReturnData::from),
                    inner_instructions,
                    replacement_blockhash,
                },
            ))
        })
    }

    fn get_signature_statuses(
        &self,
        signatures: Vec<String>,
        _: Option<RpcSignatureStatusConfig>,
    ) -> RpcResult<RpcResponse<Vec<Option<TransactionStatus>>>> {
        if signatures.len() > MAX_SIGNATURE_STATUSES {
            return Err(RpcError::invalid_params(format!("at most {MAX_SIGNATURE_STATUSES} signatures per request")));
        }
        let signatures = signatures.iter().map(|text| parse_signature(text)).collect::<RpcResult<Vec<_>>>()?;
        Ok(self.with(async |chain| {
            let statuses = signatures
                .iter()
                .map(|signature| {
                    chain.transaction(signature).map(|record| TransactionStatus {
                        slot: record.slot,
                        confirmations: None,
                        status: record.meta.status.clone(),
                        err: record.err(),
                        confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                    })
                })
                .collect();
            response(chain.slot(), statuses)
        }))
    }

    fn get_signatures_for_address(
        &self,
        address: String,
        config: Option<RpcSignaturesForAddressConfig>,
    ) -> RpcResult<Vec<RpcConfirmedTransactionStatusWithSignature>> {
        let address = parse_pubkey(&address, "address")?;
        let config = config.unwrap_or_default();
        let limit = config.limit.unwrap_or(MAX_SIGNATURES_FOR_ADDRESS);
        if !(1..=MAX_SIGNATURES_FOR_ADDRESS).contains(&limit) {
            return Err(RpcError::invalid_params(format!("Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}")));
        }
        let before = config.before.as_deref().map(parse_signature).transpose()?;
        let until = config.until.as_deref().map(parse_signature).transpose()?;
        Ok(self.with(async |chain| {
            chain
                .signatures_for_address(&address, before, until, limit)
                .into_iter()
                .map(|(signature, record)| RpcConfirmedTransactionStatusWithSignature {
                    signature: signature.to_string(),
                    slot: record.slot,
                    err: record.err(),
                    memo: None,
                    block_time: Some(record.block_time),
                    confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                })
                .collect()
        }))
    }

    fn get_transaction(
        &self,
        signature: String,
        config: Option<RpcEncodingConfigWrapper<RpcTransactionConfig>>,
    ) -> RpcResult<Option<Arc<EncodedConfirmedTransactionWithStatusMeta>>> {
        let signature = parse_signature(&signature)?;
        let config = config.map(|wrapper| wrapper.convert_to_current()).unwrap_or_default();
        self.with(async |chain| {
            let Some(record) = chain.transaction(&signature) else { return Ok(None) };
            let transaction = VersionedTransactionWithStatusMeta::from(record.clone())
                .encode(
                    config.encoding.unwrap_or(UiTransactionEncoding::Json),
                    config.max_supported_transaction_version,
                    true,
                )
                .map_err(unsupported_version)?;
            Ok(Some(Arc::new(EncodedConfirmedTransactionWithStatusMeta {
                slot: record.slot,
                transaction,
                block_time: Some(record.block_time),
            })))
        })
    }

    fn request_airdrop(&self, pubkey: String, lamports: u64, _: Option<RpcRequestAirdropConfig>) -> RpcResult<String> {
        let key = parse_pubkey(&pubkey, "pubkey")?;
        if lamports == 0 {
            return Err(RpcError::invalid_params("lamports must be positive"));
        }
        self.with(async |chain| chain.airdrop(key, lamports).await.map(|signature| signature.to_string()))
            .map_err(submit_error)
    }
}
