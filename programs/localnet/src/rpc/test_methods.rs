//! `lantern_*`: levers for tests and live replay, served only by a chain started with `--test-methods`
//! (never on a shared node: anyone could rewrite any account).
use jsonrpsee::proc_macros::rpc;
use serde::{Deserialize, Serialize};
use solana_sdk::{account::Account, clock::Slot};

use super::{parse_pubkey, RpcError, RpcResult};
use crate::encoding;
use crate::node::Node;

/// Every test method's wire name (answered with how to turn them on when they are off).
pub const TEST_METHODS: [&str; 3] = ["lantern_warpTime", "lantern_warpSlots", "lantern_setAccount"];

/// `lantern_warpSlots` produces at most this many slots per call (an hour of 400 ms slots), so one
/// request cannot hold the chain for long.
const MAX_WARP_SLOTS: u64 = 9_000;

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warped {
    unix_timestamp: i64,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WarpedSlots {
    slot: Slot,
    block_height: u64,
}

/// An account to write, as `lantern_setAccount` takes it.
#[derive(Deserialize)]
pub struct AccountSpec {
    lamports: u64,
    owner: String,
    /// base64
    data: String,
    #[serde(default)]
    executable: bool,
}

#[rpc(server, namespace = "lantern")]
pub trait TestRpc {
    /// Moves the clock forward by `seconds` (slots follow at 400 ms each).
    #[method(name = "warpTime")]
    fn warp_time(&self, seconds: i64) -> RpcResult<Warped>;
    /// Produces `slots` slots at once, each with its blockhash.
    #[method(name = "warpSlots")]
    fn warp_slots(&self, slots: u64) -> RpcResult<WarpedSlots>;
    /// Writes an account as given.
    #[method(name = "setAccount")]
    fn set_account(&self, pubkey: String, account: AccountSpec) -> RpcResult<()>;
}

impl TestRpcServer for Node {
    fn warp_time(&self, seconds: i64) -> RpcResult<Warped> {
        if seconds < 0 {
            return Err(RpcError::invalid_params("time only moves forward"));
        }
        Ok(self.with(async |chain| {
            chain.warp_time(seconds).await;
            Warped { unix_timestamp: chain.now() }
        }))
    }

    fn warp_slots(&self, slots: u64) -> RpcResult<WarpedSlots> {
        if slots == 0 || slots > MAX_WARP_SLOTS {
            return Err(RpcError::invalid_params(format!("warp by 1 to {MAX_WARP_SLOTS} slots at a time")));
        }
        Ok(self.with(async |chain| {
            chain.warp_slots(slots).await;
            WarpedSlots { slot: chain.slot(), block_height: chain.block_height() }
        }))
    }

    fn set_account(&self, pubkey: String, account: AccountSpec) -> RpcResult<()> {
        let key = parse_pubkey(&pubkey, "pubkey")?;
        let owner = parse_pubkey(&account.owner, "owner")?;
        let data = encoding::decode_base64(&account.data).map_err(RpcError::invalid_params)?;
        let account =
            Account { lamports: account.lamports, data, owner, executable: account.executable, rent_epoch: u64::MAX };
        self.with(async |chain| chain.set_account(key, account).await);
        Ok(())
    }
}
