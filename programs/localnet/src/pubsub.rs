//! The WebSocket subscription API: account, program, signature, slot, slots-updates, root, logs, vote and
//! block subscriptions. Each subscription is a task of its own reading the chain's event stream.

use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::proc_macros::rpc;
use jsonrpsee::PendingSubscriptionSink;
use serde::Serialize;
use serde_json::value::RawValue;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcBlockSubscribeConfig, RpcBlockSubscribeFilter, RpcProgramAccountsConfig,
    RpcSignatureSubscribeConfig, RpcTransactionLogsConfig, RpcTransactionLogsFilter,
};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::response as wire;
use solana_sdk::{account::Account, clock::Slot, pubkey::Pubkey, signature::Signature};
use solana_transaction_status::{BlockEncodingOptions, EncodeError, TransactionDetails, UiTransactionEncoding};
use tokio::sync::broadcast::error::RecvError;

use crate::chain::{Chain, Event};
use crate::encoding::{self, response, DataEncoding};
use crate::node::Node;
use crate::rpc::{parse_pubkey, parse_signature, RpcError, RpcResult};

// `item` names what each notification's `result` is (from the Solana client crates).
#[rpc(server)]
pub trait PubSub {
    #[subscription(name = "accountSubscribe" => "accountNotification", unsubscribe = "accountUnsubscribe", item = wire::Response<solana_account_decoder_client_types::UiAccount>)]
    async fn account_subscribe(&self, pubkey: String, config: Option<RpcAccountInfoConfig>) -> SubscriptionResult;

    #[subscription(name = "programSubscribe" => "programNotification", unsubscribe = "programUnsubscribe", item = wire::Response<wire::RpcKeyedAccount>)]
    async fn program_subscribe(&self, program: String, config: Option<RpcProgramAccountsConfig>) -> SubscriptionResult;

    #[subscription(name = "signatureSubscribe" => "signatureNotification", unsubscribe = "signatureUnsubscribe", item = wire::Response<wire::RpcSignatureResult>)]
    async fn signature_subscribe(
        &self,
        signature: String,
        config: Option<RpcSignatureSubscribeConfig>,
    ) -> SubscriptionResult;

    #[subscription(name = "slotSubscribe" => "slotNotification", unsubscribe = "slotUnsubscribe", item = wire::SlotInfo)]
    async fn slot_subscribe(&self) -> SubscriptionResult;

    #[subscription(name = "rootSubscribe" => "rootNotification", unsubscribe = "rootUnsubscribe", item = Slot)]
    async fn root_subscribe(&self) -> SubscriptionResult;

    #[subscription(name = "slotsUpdatesSubscribe" => "slotsUpdatesNotification", unsubscribe = "slotsUpdatesUnsubscribe", item = wire::SlotUpdate)]
    async fn slots_updates_subscribe(&self) -> SubscriptionResult;

    #[subscription(name = "voteSubscribe" => "voteNotification", unsubscribe = "voteUnsubscribe", item = wire::RpcVote)]
    async fn vote_subscribe(&self) -> SubscriptionResult;

    #[subscription(name = "logsSubscribe" => "logsNotification", unsubscribe = "logsUnsubscribe", item = wire::Response<wire::RpcLogsResponse>)]
    async fn logs_subscribe(
        &self,
        filter: RpcTransactionLogsFilter,
        config: Option<RpcTransactionLogsConfig>,
    ) -> SubscriptionResult;

    #[subscription(name = "blockSubscribe" => "blockNotification", unsubscribe = "blockUnsubscribe", item = wire::Response<wire::RpcBlockUpdate>)]
    async fn block_subscribe(
        &self,
        filter: RpcBlockSubscribeFilter,
        config: Option<RpcBlockSubscribeConfig>,
    ) -> SubscriptionResult;
}

enum Subscription {
    Account {
        pubkey: Pubkey,
        encoding: DataEncoding,
    },
    Program {
        program: Pubkey,
        encoding: DataEncoding,
        filters: Vec<RpcFilterType>,
    },
    Signature {
        signature: Signature,
    },
    Slot,
    Root,
    /// Each slot's `root` update (everything here is final as soon as it lands).
    SlotsUpdates,
    /// Accepted, never notified: a single node without vote accounts casts no votes.
    Vote,
    /// `None`: every transaction; `Some(key)`: those naming `key`.
    Logs {
        mentions: Option<Pubkey>,
    },
    /// Each finished block (`mentions`: only its transactions naming that account or program, and no
    /// notification when there are none).
    Block {
        mentions: Option<Pubkey>,
        config: RpcBlockSubscribeConfig,
    },
}

impl Subscription {
    fn parsed(&self) -> bool {
        matches!(
            self,
            Self::Account { encoding: DataEncoding::JsonParsed, .. }
                | Self::Program { encoding: DataEncoding::JsonParsed, .. }
        )
    }

    /// The mint decimals a `jsonParsed` notification of `event` needs (parsing a token account needs them).
    fn decimals(&self, chain: &Chain, event: &Event) -> Option<u8> {
        match event {
            Event::Account { account, .. } if self.parsed() => chain.token_decimals(account),
            _ => None,
        }
    }
}

fn raw(result: &impl Serialize) -> Box<RawValue> {
    serde_json::value::to_raw_value(result).expect("the Solana client crates' response types serialize")
}

/// The notification's `result` that `subscription` gets for `event`, if any; `true` when the
/// subscription ends with it (a signature's). `decimals`: the mint's, when the event is a token
/// account's change (for `jsonParsed`).
fn notify(subscription: &Subscription, event: &Event, decimals: Option<u8>) -> Option<(Box<RawValue>, bool)> {
    match (subscription, event) {
        (Subscription::Slot, Event::Slot { slot }) => {
            Some((raw(&wire::SlotInfo { slot: *slot, parent: slot.saturating_sub(1), root: *slot }), false))
        }
        (Subscription::Account { pubkey, encoding }, Event::Account { pubkey: key, account, slot })
            if key == pubkey =>
        {
            let account = encoding::ui_account(pubkey, account, *encoding, None, decimals);
            Some((raw(&response(*slot, account)), false))
        }
        (Subscription::Program { program, encoding, filters }, Event::Account { pubkey, account, slot })
            if account.owner == *program =>
        {
            filters.iter().all(|f| encoding::filter_allows(f, account)).then(|| {
                let value = wire::RpcKeyedAccount {
                    pubkey: pubkey.to_string(),
                    account: encoding::ui_account(pubkey, account, *encoding, None, decimals),
                };
                (raw(&response(*slot, value)), false)
            })
        }
        (Subscription::Root, Event::Slot { slot }) => Some((raw(slot), false)),
        (Subscription::SlotsUpdates, Event::Slot { slot }) => {
            let timestamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
            Some((raw(&wire::SlotUpdate::Root { slot: *slot, timestamp }), false))
        }
        (Subscription::Logs { mentions }, Event::Logs { signature, err, logs, accounts, slot })
            if mentions.is_none_or(|key| accounts.contains(&key)) =>
        {
            let value =
                wire::RpcLogsResponse { signature: signature.to_string(), err: err.clone(), logs: logs.clone() };
            Some((raw(&response(*slot, value)), false))
        }
        (Subscription::Signature { signature }, Event::Signature { signature: landed, err, slot })
            if landed == signature =>
        {
            let result =
                wire::RpcSignatureResult::ProcessedSignature(wire::ProcessedSignatureResult { err: err.clone() });
            Some((raw(&response(*slot, result)), true))
        }
        _ => None,
    }
}

/// The `blockNotification` for the block of slot `at`, encoded as the subscription asked.
fn block_notification(
    chain: &Chain,
    at: Slot,
    mentions: Option<&Pubkey>,
    config: &RpcBlockSubscribeConfig,
) -> Option<Box<RawValue>> {
    let block = chain.confirmed_block(at, mentions)?;
    if mentions.is_some() && block.transactions.is_empty() {
        return None;
    }
    let options = BlockEncodingOptions {
        transaction_details: config.transaction_details.unwrap_or(TransactionDetails::Full),
        show_rewards: config.show_rewards.unwrap_or(true),
        max_supported_transaction_version: config.max_supported_transaction_version,
    };
    let update = match block.encode_with_options(config.encoding.unwrap_or(UiTransactionEncoding::Json), options) {
        Ok(block) => wire::RpcBlockUpdate { slot: at, block: Some(block), err: None },
        Err(EncodeError::UnsupportedTransactionVersion(version)) => wire::RpcBlockUpdate {
            slot: at,
            block: None,
            err: Some(wire::RpcBlockUpdateError::UnsupportedTransactionVersion(version)),
        },
    };
    Some(raw(&response(at, update)))
}

/// The signature event of a transaction the chain holds, if it landed.
fn landed(chain: &Chain, signature: &Signature) -> Option<Event> {
    chain.transaction(signature).map(|record| Event::Signature {
        signature: *signature,
        err: record.err(),
        slot: record.slot,
    })
}

/// What a subscription owes its client after too slow a reading made it miss events (the chain keeps
/// the last 4,096): the current state of what it watches — the signature if it landed meanwhile, the
/// account, every account of the program — so that no change is lost for good, only the intermediate
/// states (a keeper's account store or a wallet holds the latest one). Missed logs, slots and blocks
/// are gone, as a validator drops the notifications of a slow client. Read under the chain's lock, with
/// the decimals a parsed notification needs; encoded (and filtered) by the caller, outside it.
fn catch_up(chain: &Chain, subscription: &Subscription) -> Vec<(Event, Option<u8>)> {
    let slot = chain.slot();
    let current = |pubkey: &Pubkey, account: Account| Event::Account { pubkey: *pubkey, account, slot };
    let events: Vec<Event> = match subscription {
        Subscription::Signature { signature } => landed(chain, signature).into_iter().collect(),
        Subscription::Account { pubkey, .. } => vec![current(pubkey, chain.account(pubkey).unwrap_or_default())],
        Subscription::Program { program, .. } => {
            chain.program_accounts(*program).map(|(pubkey, account)| current(pubkey, account.clone())).collect()
        }
        _ => Vec::new(),
    };
    events
        .into_iter()
        .map(|event| {
            let decimals = subscription.decimals(chain, &event);
            (event, decimals)
        })
        .collect()
}

impl Node {
    /// Accepts `subscription` (or refuses it with its error) and notifies it until the client leaves,
    /// unsubscribes, or (a signature's) it has fired. It always ends without an error: jsonrpsee would
    /// send one as a notification without a `result`, which web3.js cannot parse, and a failed send
    /// means the client has left or unsubscribed anyway.
    async fn serve(
        &self,
        pending: PendingSubscriptionSink,
        subscription: RpcResult<Subscription>,
    ) -> SubscriptionResult {
        match subscription {
            Ok(subscription) => {
                self.notify_until_done(pending, subscription).await;
            }
            Err(error) => pending.reject(error).await,
        }
        Ok(())
    }

    /// `None` whenever the subscription is over (the `?`s: the client has left or unsubscribed).
    async fn notify_until_done(&self, pending: PendingSubscriptionSink, subscription: Subscription) -> Option<()> {
        // Listening starts before the signature check below, so a landing in between is not missed.
        let mut events = self.events();
        let sink = pending.accept().await.ok()?;
        // A signature that already landed is reported at once: clients subscribe after sending.
        if let Subscription::Signature { signature } = &subscription {
            if let Some(event) = self.with(async |chain| landed(chain, signature)) {
                if let Some((message, _)) = notify(&subscription, &event, None) {
                    sink.send(message).await.ok()?;
                }
                return None;
            }
        }
        loop {
            let event = tokio::select! {
                _ = sink.closed() => return None,
                event = events.recv() => event,
            };
            let event = match event {
                Ok(event) => event,
                Err(RecvError::Lagged(_)) => {
                    for (event, decimals) in self.with(async |chain| catch_up(chain, &subscription)) {
                        if let Some((message, last)) = notify(&subscription, &event, decimals) {
                            sink.send(message).await.ok()?;
                            if last {
                                return None;
                            }
                        }
                    }
                    continue;
                }
                Err(RecvError::Closed) => return None,
            };
            // A slot's start finishes its parent's block.
            if let (Subscription::Block { mentions, config }, Event::Slot { slot }) = (&subscription, &*event) {
                let block = self
                    .with(async |chain| block_notification(chain, slot.saturating_sub(1), mentions.as_ref(), config));
                if let Some(message) = block {
                    sink.send(message).await.ok()?;
                }
                continue;
            }
            let decimals = match &*event {
                Event::Account { .. } if subscription.parsed() => {
                    self.with(async |chain| subscription.decimals(chain, &event))
                }
                _ => None,
            };
            if let Some((message, last)) = notify(&subscription, &event, decimals) {
                sink.send(message).await.ok()?;
                if last {
                    return None;
                }
            }
        }
    }
}

fn account_encoding(config: &RpcAccountInfoConfig) -> RpcResult<DataEncoding> {
    DataEncoding::of(config).map_err(RpcError::invalid_params)
}

#[jsonrpsee::core::async_trait]
impl PubSubServer for Node {
    async fn account_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> SubscriptionResult {
        let subscription = (|| {
            let encoding = account_encoding(&config.unwrap_or_default())?;
            Ok(Subscription::Account { pubkey: parse_pubkey(&pubkey, "pubkey")?, encoding })
        })();
        self.serve(pending, subscription).await
    }

    async fn program_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        program: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> SubscriptionResult {
        let subscription = (|| {
            let config = config.unwrap_or_default();
            Ok(Subscription::Program {
                program: parse_pubkey(&program, "program id")?,
                encoding: account_encoding(&config.account_config)?,
                filters: config.filters.unwrap_or_default(),
            })
        })();
        self.serve(pending, subscription).await
    }

    async fn signature_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        signature: String,
        _: Option<RpcSignatureSubscribeConfig>,
    ) -> SubscriptionResult {
        let subscription = parse_signature(&signature).map(|signature| Subscription::Signature { signature });
        self.serve(pending, subscription).await
    }

    async fn slot_subscribe(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        self.serve(pending, Ok(Subscription::Slot)).await
    }

    async fn root_subscribe(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        self.serve(pending, Ok(Subscription::Root)).await
    }

    async fn slots_updates_subscribe(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        self.serve(pending, Ok(Subscription::SlotsUpdates)).await
    }

    async fn vote_subscribe(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        self.serve(pending, Ok(Subscription::Vote)).await
    }

    async fn logs_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        filter: RpcTransactionLogsFilter,
        _: Option<RpcTransactionLogsConfig>,
    ) -> SubscriptionResult {
        let subscription = match filter {
            RpcTransactionLogsFilter::All | RpcTransactionLogsFilter::AllWithVotes => {
                Ok(Subscription::Logs { mentions: None })
            }
            RpcTransactionLogsFilter::Mentions(keys) => match keys.as_slice() {
                [key] => parse_pubkey(key, "mentions").map(|key| Subscription::Logs { mentions: Some(key) }),
                _ => Err(RpcError::invalid_params("`mentions` takes exactly one address")),
            },
        };
        self.serve(pending, subscription).await
    }

    async fn block_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        filter: RpcBlockSubscribeFilter,
        config: Option<RpcBlockSubscribeConfig>,
    ) -> SubscriptionResult {
        let mentions = match filter {
            RpcBlockSubscribeFilter::All => Ok(None),
            RpcBlockSubscribeFilter::MentionsAccountOrProgram(key) => {
                parse_pubkey(&key, "mentionsAccountOrProgram").map(Some)
            }
        };
        let subscription =
            mentions.map(|mentions| Subscription::Block { mentions, config: config.unwrap_or_default() });
        self.serve(pending, subscription).await
    }
}
