//! The standard Solana JSON-RPC over the chain, one typed trait per method family (as agave and
//! surfpool lay it out), served by jsonrpsee; plus the `lantern_*` test methods behind a flag.
mod accounts;
mod blocks;
mod cluster;
mod reasons;
mod test_methods;
mod transactions;

use std::str::FromStr;

use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::RpcModule;
use serde_json::Value;
use solana_sdk::{pubkey::Pubkey, signature::Signature};

use crate::node::Node;
use lantern_runtime::solana_program_test::BanksClientError;

pub use accounts::AccountsRpcServer;
pub use blocks::BlocksRpcServer;
pub use cluster::ClusterRpcServer;
pub use reasons::ParamReasonsLayer;
pub use test_methods::{TestRpcServer, TEST_METHODS};
pub use transactions::TransactionsRpcServer;

/// A JSON-RPC error as a validator words it: code, message and, for a failed preflight, data.
#[derive(Debug)]
pub struct RpcError {
    pub code: i32,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(-32602, format!("Invalid params: {}", message.into()))
    }

    pub fn internal(err: BanksClientError) -> Self {
        Self::new(-32603, format!("Internal error: {err}"))
    }
}

impl From<RpcError> for ErrorObjectOwned {
    fn from(error: RpcError) -> Self {
        ErrorObjectOwned::owned(error.code, error.message, error.data)
    }
}

pub type RpcResult<T> = Result<T, RpcError>;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub fn parse_pubkey(text: &str, name: &str) -> RpcResult<Pubkey> {
    Pubkey::from_str(text).map_err(|_| RpcError::invalid_params(format!("`{name}` is not a base58 public key: {text}")))
}

pub fn parse_signature(text: &str) -> RpcResult<Signature> {
    Signature::from_str(text).map_err(|_| RpcError::invalid_params(format!("not a base58 signature: {text}")))
}

/// Every HTTP method the node serves; the test methods only when `test_methods` (otherwise each answers
/// how to turn them on).
pub fn methods(node: &Node, test_methods: bool) -> RpcModule<()> {
    let mut module = RpcModule::new(());
    let families = [
        ClusterRpcServer::into_rpc(node.clone()).into(),
        AccountsRpcServer::into_rpc(node.clone()).into(),
        TransactionsRpcServer::into_rpc(node.clone()).into(),
        BlocksRpcServer::into_rpc(node.clone()).into(),
    ];
    for family in families {
        let family: jsonrpsee::Methods = family;
        module.merge(family).expect("method names are unique across families");
    }
    if test_methods {
        module.merge(TestRpcServer::into_rpc(node.clone())).expect("test method names are unique");
    } else {
        for name in TEST_METHODS {
            module
                .register_method(name, move |_, _, _| {
                    ErrorObjectOwned::owned(
                        -32601,
                        format!("Method not found: {name} is a test method; start the local chain with --test-methods to use it"),
                        None::<Value>,
                    )
                })
                .expect("test method names are free when the test methods are off");
        }
    }
    module
}
