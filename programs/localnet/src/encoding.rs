//! Wire formats of the standard Solana RPC: accounts, transactions, contexts.
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use serde_json::{json, Value};
use solana_account_decoder_client_types::UiDataSliceConfig;
use solana_rpc_client_api::config::RpcAccountInfoConfig;
use solana_rpc_client_api::filter::RpcFilterType;
use solana_sdk::{account::Account, message::VersionedMessage, slot_history::Slot, transaction::VersionedTransaction};

/// The RPC version this chain claims (the agave crates it runs).
pub const SOLANA_VERSION: &str = "2.2.20";

/// The wire name of a serde enum value (`"base64"`, `"jsonParsed"`, ...).
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub fn context(slot: Slot) -> Value {
    json!({ "slot": slot, "apiVersion": SOLANA_VERSION })
}

pub fn with_context(slot: Slot, value: Value) -> Value {
    json!({ "context": context(slot), "value": value })
}

/// How a client asked for account data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataEncoding {
    Base64,
    Base58,
}

impl DataEncoding {
    /// The encoding an account request asks for.
    pub fn of(config: &RpcAccountInfoConfig) -> Result<Self, String> {
        Self::parse(config.encoding.as_ref().map(wire_name).as_deref())
    }

    /// `jsonParsed` falls back to base64, as a real node does for accounts it has no parser for.
    pub fn parse(name: Option<&str>) -> Result<Self, String> {
        match name.unwrap_or("base64") {
            "base64" | "jsonParsed" => Ok(Self::Base64),
            "base58" | "binary" => Ok(Self::Base58),
            other => Err(format!("unsupported encoding `{other}`; use base64 or base58")),
        }
    }
}

pub fn ui_account(account: &Account, encoding: DataEncoding, slice: Option<&UiDataSliceConfig>) -> Value {
    let data = match slice {
        Some(s) => {
            let start = s.offset.min(account.data.len());
            let end = start.saturating_add(s.length).min(account.data.len());
            &account.data[start..end]
        }
        None => &account.data[..],
    };
    let encoded = match encoding {
        DataEncoding::Base64 => json!([BASE64.encode(data), "base64"]),
        DataEncoding::Base58 => json!([bs58::encode(data).into_string(), "base58"]),
    };
    json!({
        "data": encoded,
        "executable": account.executable,
        "lamports": account.lamports,
        "owner": account.owner.to_string(),
        "rentEpoch": account.rent_epoch,
        "space": account.data.len(),
    })
}

/// Decodes a wire transaction sent as base64 or base58.
pub fn decode_transaction(encoded: &str, encoding: Option<&str>) -> Result<VersionedTransaction, String> {
    let bytes = match encoding.unwrap_or("base58") {
        "base64" => BASE64.decode(encoded).map_err(|e| format!("invalid base64 transaction: {e}"))?,
        "base58" => bs58::decode(encoded).into_vec().map_err(|e| format!("invalid base58 transaction: {e}"))?,
        other => return Err(format!("unsupported transaction encoding `{other}`")),
    };
    bincode::deserialize(&bytes).map_err(|e| format!("failed to deserialize transaction: {e}"))
}

pub fn decode_message(encoded: &str) -> Result<VersionedMessage, String> {
    let bytes = BASE64.decode(encoded).map_err(|e| format!("invalid base64 message: {e}"))?;
    bincode::deserialize(&bytes).map_err(|e| format!("failed to deserialize message: {e}"))
}

/// The `json` encoding of a transaction, as `getTransaction` returns it.
pub fn transaction_json(tx: &VersionedTransaction) -> Value {
    let message = &tx.message;
    let header = message.header();
    let instructions: Vec<Value> = message
        .instructions()
        .iter()
        .map(|ix| {
            json!({
                "programIdIndex": ix.program_id_index,
                "accounts": ix.accounts,
                "data": bs58::encode(&ix.data).into_string(),
                "stackHeight": null,
            })
        })
        .collect();
    let mut json_message = json!({
        "accountKeys": message.static_account_keys().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        "header": {
            "numRequiredSignatures": header.num_required_signatures,
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
        },
        "recentBlockhash": message.recent_blockhash().to_string(),
        "instructions": instructions,
    });
    if let Some(lookups) = message.address_table_lookups() {
        json_message["addressTableLookups"] = json!(lookups
            .iter()
            .map(|l| json!({
                "accountKey": l.account_key.to_string(),
                "writableIndexes": l.writable_indexes,
                "readonlyIndexes": l.readonly_indexes,
            }))
            .collect::<Vec<_>>());
    }
    json!({
        "signatures": tx.signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        "message": json_message,
    })
}

pub fn transaction_base64(tx: &VersionedTransaction) -> Value {
    json!([BASE64.encode(bincode::serialize(tx).unwrap_or_default()), "base64"])
}

pub fn decode_base64(data: &str) -> Result<Vec<u8>, String> {
    BASE64.decode(data).map_err(|e| format!("invalid base64: {e}"))
}

/// Whether `account` passes a `getProgramAccounts` / `programSubscribe` filter.
pub fn filter_allows(filter: &RpcFilterType, account: &Account) -> bool {
    match filter {
        RpcFilterType::DataSize(size) => account.data.len() as u64 == *size,
        RpcFilterType::Memcmp(memcmp) => memcmp.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => {
            account.owner == spl_token::ID
                && <spl_token::state::Account as solana_sdk::program_pack::Pack>::unpack(&account.data).is_ok()
        }
    }
}
