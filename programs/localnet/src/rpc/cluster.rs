//! The cluster, its epochs, its supply and its single node, as solana-test-validator reports itself.
use std::collections::HashMap;

use jsonrpsee::proc_macros::rpc;
use solana_rpc_client_api::config::{
    RpcBlockProductionConfig, RpcContextConfig, RpcEpochConfig, RpcGetVoteAccountsConfig, RpcLargestAccountsConfig,
    RpcLeaderScheduleConfig, RpcLeaderScheduleConfigWrapper, RpcSupplyConfig,
};
use solana_rpc_client_api::response::{
    Response as RpcResponse, RpcAccountBalance, RpcBlockProduction, RpcBlockProductionRange, RpcContactInfo,
    RpcIdentity, RpcInflationGovernor, RpcInflationRate, RpcInflationReward, RpcLeaderSchedule, RpcPerfSample,
    RpcSnapshotSlotInfo, RpcSupply, RpcVersionInfo, RpcVoteAccountStatus,
};
use solana_sdk::{clock::Slot, epoch_info::EpochInfo, epoch_schedule::EpochSchedule, pubkey::Pubkey};

use super::{RpcError, RpcResult};
use crate::chain::Chain;
use crate::encoding::{response, SOLANA_VERSION};
use crate::node::Node;

#[rpc(server)]
pub trait ClusterRpc {
    #[method(name = "getHealth")]
    fn get_health(&self) -> RpcResult<String>;
    #[method(name = "getVersion")]
    fn get_version(&self) -> RpcResult<RpcVersionInfo>;
    #[method(name = "getGenesisHash")]
    fn get_genesis_hash(&self) -> RpcResult<String>;
    #[method(name = "getIdentity")]
    fn get_identity(&self) -> RpcResult<RpcIdentity>;
    #[method(name = "getSlot")]
    fn get_slot(&self, config: Option<RpcContextConfig>) -> RpcResult<Slot>;
    #[method(name = "getBlockHeight")]
    fn get_block_height(&self, config: Option<RpcContextConfig>) -> RpcResult<u64>;
    #[method(name = "getTransactionCount")]
    fn get_transaction_count(&self, config: Option<RpcContextConfig>) -> RpcResult<u64>;
    #[method(name = "getEpochInfo")]
    fn get_epoch_info(&self, config: Option<RpcContextConfig>) -> RpcResult<EpochInfo>;
    #[method(name = "getEpochSchedule")]
    fn get_epoch_schedule(&self) -> RpcResult<EpochSchedule>;
    #[method(name = "getMinimumBalanceForRentExemption")]
    fn get_minimum_balance_for_rent_exemption(
        &self,
        data_len: usize,
        config: Option<RpcContextConfig>,
    ) -> RpcResult<u64>;
    #[method(name = "getSlotLeader")]
    fn get_slot_leader(&self, config: Option<RpcContextConfig>) -> RpcResult<String>;
    #[method(name = "getSlotLeaders")]
    fn get_slot_leaders(&self, start: Slot, limit: usize) -> RpcResult<Vec<String>>;
    #[method(name = "getLeaderSchedule")]
    fn get_leader_schedule(
        &self,
        slot: Option<RpcLeaderScheduleConfigWrapper>,
        config: Option<RpcLeaderScheduleConfig>,
    ) -> RpcResult<Option<RpcLeaderSchedule>>;
    #[method(name = "getClusterNodes")]
    fn get_cluster_nodes(&self) -> RpcResult<Vec<RpcContactInfo>>;
    #[method(name = "getVoteAccounts")]
    fn get_vote_accounts(&self, config: Option<RpcGetVoteAccountsConfig>) -> RpcResult<RpcVoteAccountStatus>;
    #[method(name = "getBlockProduction")]
    fn get_block_production(
        &self,
        config: Option<RpcBlockProductionConfig>,
    ) -> RpcResult<RpcResponse<RpcBlockProduction>>;
    #[method(name = "minimumLedgerSlot")]
    fn minimum_ledger_slot(&self) -> RpcResult<Slot>;
    #[method(name = "getFirstAvailableBlock")]
    fn get_first_available_block(&self) -> RpcResult<Slot>;
    #[method(name = "getMaxRetransmitSlot")]
    fn get_max_retransmit_slot(&self) -> RpcResult<Slot>;
    #[method(name = "getMaxShredInsertSlot")]
    fn get_max_shred_insert_slot(&self) -> RpcResult<Slot>;
    #[method(name = "getHighestSnapshotSlot")]
    fn get_highest_snapshot_slot(&self) -> RpcResult<RpcSnapshotSlotInfo>;
    #[method(name = "getRecentPerformanceSamples")]
    fn get_recent_performance_samples(&self, limit: Option<usize>) -> RpcResult<Vec<RpcPerfSample>>;
    #[method(name = "getSupply")]
    fn get_supply(&self, config: Option<RpcSupplyConfig>) -> RpcResult<RpcResponse<RpcSupply>>;
    #[method(name = "getLargestAccounts")]
    fn get_largest_accounts(
        &self,
        config: Option<RpcLargestAccountsConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcAccountBalance>>>;
    #[method(name = "getStakeMinimumDelegation")]
    fn get_stake_minimum_delegation(&self, config: Option<RpcContextConfig>) -> RpcResult<RpcResponse<u64>>;
    #[method(name = "getInflationRate")]
    fn get_inflation_rate(&self) -> RpcResult<RpcInflationRate>;
    #[method(name = "getInflationGovernor")]
    fn get_inflation_governor(&self, config: Option<RpcContextConfig>) -> RpcResult<RpcInflationGovernor>;
    #[method(name = "getInflationReward")]
    fn get_inflation_reward(
        &self,
        addresses: Vec<String>,
        config: Option<RpcEpochConfig>,
    ) -> RpcResult<Vec<Option<RpcInflationReward>>>;
}

/// The node's identity: fixed per chain (derived from its genesis hash).
pub fn identity(chain: &Chain) -> Pubkey {
    Pubkey::new_from_array(chain.genesis_hash.to_bytes())
}

impl ClusterRpcServer for Node {
    fn get_health(&self) -> RpcResult<String> {
        Ok("ok".to_owned())
    }

    fn get_version(&self) -> RpcResult<RpcVersionInfo> {
        Ok(RpcVersionInfo { solana_core: SOLANA_VERSION.to_owned(), feature_set: Some(0) })
    }

    fn get_genesis_hash(&self) -> RpcResult<String> {
        Ok(self.with(async |chain| chain.genesis_hash.to_string()))
    }

    fn get_identity(&self) -> RpcResult<RpcIdentity> {
        Ok(RpcIdentity { identity: self.with(async |chain| identity(chain)).to_string() })
    }

    fn get_slot(&self, _: Option<RpcContextConfig>) -> RpcResult<Slot> {
        Ok(self.with(async |chain| chain.slot()))
    }

    fn get_block_height(&self, _: Option<RpcContextConfig>) -> RpcResult<u64> {
        Ok(self.with(async |chain| chain.block_height()))
    }

    fn get_transaction_count(&self, _: Option<RpcContextConfig>) -> RpcResult<u64> {
        Ok(self.with(async |chain| chain.transaction_count()))
    }

    fn get_epoch_info(&self, _: Option<RpcContextConfig>) -> RpcResult<EpochInfo> {
        self.with(async |chain| {
            let slot = chain.slot();
            let schedule: EpochSchedule = chain.test.ctx.banks_client.get_sysvar().await.map_err(RpcError::internal)?;
            let (epoch, slot_index) = schedule.get_epoch_and_slot_index(slot);
            Ok(EpochInfo {
                epoch,
                slot_index,
                slots_in_epoch: schedule.get_slots_in_epoch(epoch),
                absolute_slot: slot,
                block_height: chain.block_height(),
                transaction_count: Some(chain.transaction_count()),
            })
        })
    }

    fn get_epoch_schedule(&self) -> RpcResult<EpochSchedule> {
        self.with(async |chain| chain.test.ctx.banks_client.get_sysvar().await.map_err(RpcError::internal))
    }

    fn get_minimum_balance_for_rent_exemption(&self, data_len: usize, _: Option<RpcContextConfig>) -> RpcResult<u64> {
        self.with(async |chain| {
            let rent = chain.test.ctx.banks_client.get_rent().await.map_err(RpcError::internal)?;
            Ok(rent.minimum_balance(data_len))
        })
    }

    fn get_slot_leader(&self, _: Option<RpcContextConfig>) -> RpcResult<String> {
        Ok(self.with(async |chain| identity(chain)).to_string())
    }

    fn get_slot_leaders(&self, _start: Slot, limit: usize) -> RpcResult<Vec<String>> {
        if limit > 5_000 {
            return Err(RpcError::invalid_params("Invalid limit; max 5000"));
        }
        Ok(vec![self.with(async |chain| identity(chain)).to_string(); limit])
    }

    fn get_leader_schedule(
        &self,
        slot: Option<RpcLeaderScheduleConfigWrapper>,
        config: Option<RpcLeaderScheduleConfig>,
    ) -> RpcResult<Option<RpcLeaderSchedule>> {
        let (at, wrapped) = slot.map(|wrapper| wrapper.unzip()).unwrap_or_default();
        let asked = config.or(wrapped).and_then(|config| config.identity);
        Ok(self.with(async |chain| {
            // A single-node cluster: this node leads every slot of the epoch.
            let me = identity(chain).to_string();
            let mut leaders = RpcLeaderSchedule::new();
            if asked.is_none_or(|who| who == me) {
                let schedule = &chain.test.ctx.genesis_config().epoch_schedule;
                let slots = schedule.get_slots_in_epoch(schedule.get_epoch(at.unwrap_or(chain.slot())));
                leaders.insert(me, (0..usize::try_from(slots).unwrap_or(usize::MAX)).collect());
            }
            Some(leaders)
        }))
    }

    fn get_cluster_nodes(&self) -> RpcResult<Vec<RpcContactInfo>> {
        Ok(vec![RpcContactInfo {
            pubkey: self.with(async |chain| identity(chain)).to_string(),
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
            version: Some(SOLANA_VERSION.to_owned()),
            feature_set: None,
            shred_version: None,
        }])
    }

    fn get_vote_accounts(&self, _: Option<RpcGetVoteAccountsConfig>) -> RpcResult<RpcVoteAccountStatus> {
        Ok(RpcVoteAccountStatus { current: vec![], delinquent: vec![] })
    }

    fn get_block_production(&self, _: Option<RpcBlockProductionConfig>) -> RpcResult<RpcResponse<RpcBlockProduction>> {
        Ok(self.with(async |chain| {
            let slot = chain.slot();
            let produced = usize::try_from(slot + 1).unwrap_or(usize::MAX);
            response(
                slot,
                RpcBlockProduction {
                    by_identity: HashMap::from([(identity(chain).to_string(), (produced, produced))]),
                    range: RpcBlockProductionRange { first_slot: 0, last_slot: slot },
                },
            )
        }))
    }

    fn minimum_ledger_slot(&self) -> RpcResult<Slot> {
        Ok(0)
    }

    fn get_first_available_block(&self) -> RpcResult<Slot> {
        Ok(0)
    }

    fn get_max_retransmit_slot(&self) -> RpcResult<Slot> {
        Ok(self.with(async |chain| chain.slot()))
    }

    fn get_max_shred_insert_slot(&self) -> RpcResult<Slot> {
        Ok(self.with(async |chain| chain.slot()))
    }

    fn get_highest_snapshot_slot(&self) -> RpcResult<RpcSnapshotSlotInfo> {
        Err(RpcError::new(-32008, "No snapshot"))
    }

    fn get_recent_performance_samples(&self, limit: Option<usize>) -> RpcResult<Vec<RpcPerfSample>> {
        let limit = limit.unwrap_or(720);
        if limit > 720 {
            return Err(RpcError::invalid_params("Invalid limit; max 720"));
        }
        Ok(self.with(async |chain| {
            chain
                .performance_samples(limit)
                .map(|s| RpcPerfSample {
                    slot: s.slot,
                    num_transactions: s.transactions,
                    num_non_vote_transactions: Some(s.transactions),
                    num_slots: s.slots,
                    sample_period_secs: s.period_secs,
                })
                .collect()
        }))
    }

    fn get_supply(&self, _: Option<RpcSupplyConfig>) -> RpcResult<RpcResponse<RpcSupply>> {
        Ok(self.with(async |chain| {
            // Every account the chain indexes: all of them but the genesis programs and sysvars no
            // transaction has touched. Nothing is locked up on a local chain, so all of it circulates.
            let total: u64 = chain.accounts().map(|(_, a)| a.lamports).sum();
            response(
                chain.slot(),
                RpcSupply { total, circulating: total, non_circulating: 0, non_circulating_accounts: Vec::new() },
            )
        }))
    }

    fn get_largest_accounts(
        &self,
        _: Option<RpcLargestAccountsConfig>,
    ) -> RpcResult<RpcResponse<Vec<RpcAccountBalance>>> {
        Ok(self.with(async |chain| {
            let mut largest: Vec<(&Pubkey, u64)> = chain.accounts().map(|(k, a)| (k, a.lamports)).collect();
            largest.sort_by_key(|(_, lamports)| std::cmp::Reverse(*lamports));
            let value = largest
                .into_iter()
                .take(20)
                .map(|(k, lamports)| RpcAccountBalance { address: k.to_string(), lamports })
                .collect();
            response(chain.slot(), value)
        }))
    }

    fn get_stake_minimum_delegation(&self, _: Option<RpcContextConfig>) -> RpcResult<RpcResponse<u64>> {
        self.with(async |chain| {
            let lamports = chain.stake_minimum_delegation().await.map_err(RpcError::internal)?;
            Ok(response(chain.slot(), lamports))
        })
    }

    fn get_inflation_rate(&self) -> RpcResult<RpcInflationRate> {
        Ok(self.with(async |chain| {
            let genesis = chain.test.ctx.genesis_config();
            let schedule = &genesis.epoch_schedule;
            let epoch = schedule.get_epoch(chain.slot());
            let year = schedule.get_first_slot_in_epoch(epoch) as f64 / genesis.slots_per_year();
            let inflation = genesis.inflation;
            RpcInflationRate {
                total: inflation.total(year),
                validator: inflation.validator(year),
                foundation: inflation.foundation(year),
                epoch,
            }
        }))
    }

    fn get_inflation_governor(&self, _: Option<RpcContextConfig>) -> RpcResult<RpcInflationGovernor> {
        Ok(self.with(async |chain| RpcInflationGovernor::from(chain.test.ctx.genesis_config().inflation)))
    }

    /// No stake is delegated to a vote account here, so no address earned a reward.
    fn get_inflation_reward(
        &self,
        addresses: Vec<String>,
        _: Option<RpcEpochConfig>,
    ) -> RpcResult<Vec<Option<RpcInflationReward>>> {
        Ok(vec![None; addresses.len()])
    }
}
