//! Blocks: every slot holds one here (the chain produces one per slot, empty or not).
use jsonrpsee::proc_macros::rpc;
use solana_rpc_client_api::config::{
    RpcBlockConfig, RpcBlocksConfigWrapper, RpcContextConfig, RpcEncodingConfigWrapper,
};
use solana_rpc_client_api::response::RpcBlockCommitment;
use solana_sdk::clock::{Slot, UnixTimestamp};
use solana_transaction_status::{
    BlockEncodingOptions, EncodeError, TransactionDetails, UiConfirmedBlock, UiTransactionEncoding,
};

use super::{RpcError, RpcResult};
use crate::chain::Chain;
use crate::node::Node;

/// The widest slot range `getBlocks` and `getBlocksWithLimit` answer, as a validator limits them.
const MAX_BLOCK_RANGE: u64 = 500_000;

#[rpc(server)]
pub trait BlocksRpc {
    #[method(name = "getBlock")]
    fn get_block(
        &self,
        slot: Slot,
        config: Option<RpcEncodingConfigWrapper<RpcBlockConfig>>,
    ) -> RpcResult<Option<UiConfirmedBlock>>;
    #[method(name = "getBlocks")]
    fn get_blocks(
        &self,
        start: Slot,
        end: Option<RpcBlocksConfigWrapper>,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<Vec<Slot>>;
    #[method(name = "getBlocksWithLimit")]
    fn get_blocks_with_limit(&self, start: Slot, limit: u64, config: Option<RpcContextConfig>) -> RpcResult<Vec<Slot>>;
    #[method(name = "getBlockTime")]
    fn get_block_time(&self, slot: Slot) -> RpcResult<UnixTimestamp>;
    #[method(name = "getBlockCommitment")]
    fn get_block_commitment(&self, slot: Slot) -> RpcResult<RpcBlockCommitment<Vec<u64>>>;
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

impl BlocksRpcServer for Node {
    fn get_block(
        &self,
        slot: Slot,
        config: Option<RpcEncodingConfigWrapper<RpcBlockConfig>>,
    ) -> RpcResult<Option<UiConfirmedBlock>> {
        let config = config.map(|wrapper| wrapper.convert_to_current()).unwrap_or_default();
        let options = BlockEncodingOptions {
            transaction_details: config.transaction_details.unwrap_or(TransactionDetails::Full),
            show_rewards: config.rewards.unwrap_or(true),
            max_supported_transaction_version: config.max_supported_transaction_version,
        };
        self.with(async |chain| {
            let Some(confirmed) = chain.confirmed_block(slot, None) else { return Err(block_unavailable(chain, slot)) };
            confirmed
                .encode_with_options(config.encoding.unwrap_or(UiTransactionEncoding::Json), options)
                .map(Some)
                .map_err(unsupported_version)
        })
    }

    fn get_blocks(
        &self,
        start: Slot,
        end: Option<RpcBlocksConfigWrapper>,
        _: Option<RpcContextConfig>,
    ) -> RpcResult<Vec<Slot>> {
        let (end, _) = end.map(|wrapper| wrapper.unzip()).unwrap_or_default();
        let slot = self.with(async |chain| chain.slot());
        let end = end.unwrap_or(slot).min(slot);
        if end.saturating_sub(start) > MAX_BLOCK_RANGE {
            return Err(RpcError::invalid_params(format!("Slot range too large; max {MAX_BLOCK_RANGE}")));
        }
        Ok((start..=end).collect())
    }

    fn get_blocks_with_limit(&self, start: Slot, limit: u64, _: Option<RpcContextConfig>) -> RpcResult<Vec<Slot>> {
        if limit > MAX_BLOCK_RANGE {
            return Err(RpcError::invalid_params(format!("Limit too large; max {MAX_BLOCK_RANGE}")));
        }
        let slot = self.with(async |chain| chain.slot());
        Ok((start..start.saturating_add(limit).min(slot.saturating_add(1))).collect())
    }

    fn get_block_time(&self, slot: Slot) -> RpcResult<UnixTimestamp> {
        self.with(async |chain| {
            chain.block(slot).map(|(block, _)| block.time).ok_or_else(|| block_unavailable(chain, slot))
        })
    }

    /// A single node's blocks are final as they are made: no votes to count.
    fn get_block_commitment(&self, _: Slot) -> RpcResult<RpcBlockCommitment<Vec<u64>>> {
        Ok(RpcBlockCommitment { commitment: None, total_stake: 0 })
    }
}
