//! Wire formats of the standard Solana RPC: accounts, transactions, contexts.
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use solana_account_decoder::{
    encode_ui_account,
    parse_account_data::{AccountAdditionalDataV3, SplTokenAdditionalDataV2},
};
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding, UiDataSliceConfig};
use solana_rpc_client_api::config::RpcAccountInfoConfig;
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::response::{Response as RpcResponse, RpcResponseContext};
use solana_sdk::{
    account::Account, message::VersionedMessage, pubkey::Pubkey, slot_history::Slot, transaction::VersionedTransaction,
};

/// The RPC version this chain claims (the agave crates it runs).
pub const SOLANA_VERSION: &str = "2.2.20";

/// The wire name of a serde enum value (`"base64"`, `"jsonParsed"`, ...).
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// An RPC response `{ context, value }` as of `slot` (its `apiVersion` is the agave crates' own).
pub fn response<T>(slot: Slot, value: T) -> RpcResponse<T> {
    RpcResponse { context: RpcResponseContext::new(slot), value }
}

/// How a client asked for account data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataEncoding {
    Base64,
    Base58,
    /// Parsed where Solana's account decoder has a parser (SPL Token accounts and mints, nonce, stake,
    /// vote, sysvar, lookup-table and loader accounts), base64 elsewhere, as a validator answers.
    JsonParsed,
}

impl DataEncoding {
    /// The encoding an account request asks for.
    pub fn of(config: &RpcAccountInfoConfig) -> Result<Self, String> {
        Self::parse(config.encoding.as_ref().map(wire_name).as_deref())
    }

    pub fn parse(name: Option<&str>) -> Result<Self, String> {
        match name.unwrap_or("base64") {
            "base64" => Ok(Self::Base64),
            "jsonParsed" => Ok(Self::JsonParsed),
            "base58" | "binary" => Ok(Self::Base58),
            other => Err(format!("unsupported encoding `{other}`; use base64, base58 or jsonParsed")),
        }
    }
}

/// An account as the RPC writes it, by Solana's own account encoder; `decimals` is the mint's, which
/// parsing a token account needs.
pub fn ui_account(
    pubkey: &Pubkey,
    account: &Account,
    encoding: DataEncoding,
    slice: Option<&UiDataSliceConfig>,
    decimals: Option<u8>,
) -> UiAccount {
    let encoding = match encoding {
        DataEncoding::Base64 => UiAccountEncoding::Base64,
        DataEncoding::Base58 => UiAccountEncoding::Base58,
        DataEncoding::JsonParsed => UiAccountEncoding::JsonParsed,
    };
    let additional = decimals.map(|decimals| AccountAdditionalDataV3 {
        spl_token_additional_data: Some(SplTokenAdditionalDataV2::with_decimals(decimals)),
    });
    encode_ui_account(pubkey, account, encoding, additional, slice.copied())
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
