//! The WebSocket subscription API: account, program, signature, slot, slots-updates, root, logs, vote and
//! block subscriptions.
use std::collections::HashMap;
use std::str::FromStr;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcBlockSubscribeConfig, RpcBlockSubscribeFilter, RpcProgramAccountsConfig,
};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::response::{
    ProcessedSignatureResult, RpcBlockUpdate, RpcBlockUpdateError, RpcKeyedAccount, RpcLogsResponse,
    RpcSignatureResult, SlotInfo, SlotUpdate,
};
use solana_sdk::{clock::Slot, pubkey::Pubkey, signature::Signature};
use solana_transaction_status::{BlockEncodingOptions, EncodeError, TransactionDetails, UiTransactionEncoding};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::error::RecvError;
use tokio_tungstenite::tungstenite::Message;

use crate::chain::{Chain, Event};
use crate::encoding::{self, with_context, DataEncoding};
use crate::rpc::Shared;

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

pub async fn serve(listener: TcpListener, chain: Shared) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        // Notifications go out at once rather than waiting for the client's delayed ACK (Nagle).
        let _ = stream.set_nodelay(true);
        let chain = chain.clone();
        tokio::spawn(async move {
            let _ = connection(stream, chain).await;
        });
    }
}

fn parse<T: serde::de::DeserializeOwned + Default>(params: &[Value], index: usize) -> Result<T, String> {
    match params.get(index) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(value) => serde_json::from_value(value.clone()).map_err(|e| format!("Invalid params: {e}")),
    }
}

fn key_param(params: &[Value]) -> Result<String, String> {
    params
        .first()
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "Invalid params: a base58 key is expected".to_owned())
}

fn subscribe(method: &str, params: &[Value]) -> Result<Subscription, String> {
    let pubkey = |text: &str| Pubkey::from_str(text).map_err(|_| format!("Invalid params: not a public key: {text}"));
    match method {
        "accountSubscribe" => {
            let config: RpcAccountInfoConfig = parse(params, 1)?;
            Ok(Subscription::Account { pubkey: pubkey(&key_param(params)?)?, encoding: DataEncoding::of(&config)? })
        }
        "programSubscribe" => {
            let config: RpcProgramAccountsConfig = parse(params, 1)?;
            Ok(Subscription::Program {
                program: pubkey(&key_param(params)?)?,
                encoding: DataEncoding::of(&config.account_config)?,
                filters: config.filters.unwrap_or_default(),
            })
        }
        "signatureSubscribe" => {
            let text = key_param(params)?;
            let signature =
                Signature::from_str(&text).map_err(|_| format!("Invalid params: not a signature: {text}"))?;
            Ok(Subscription::Signature { signature })
        }
        "slotSubscribe" => Ok(Subscription::Slot),
        "rootSubscribe" => Ok(Subscription::Root),
        "slotsUpdatesSubscribe" => Ok(Subscription::SlotsUpdates),
        "voteSubscribe" => Ok(Subscription::Vote),
        "blockSubscribe" => {
            let filter: RpcBlockSubscribeFilter = match params.first() {
                Some(value) => serde_json::from_value(value.clone()).map_err(|_| {
                    "Invalid params: expected \"all\" or { \"mentionsAccountOrProgram\": address }".to_owned()
                })?,
                None => return Err("Invalid params: a block filter is expected".to_owned()),
            };
            let mentions = match filter {
                RpcBlockSubscribeFilter::All => None,
                RpcBlockSubscribeFilter::MentionsAccountOrProgram(key) => Some(pubkey(&key)?),
            };
            Ok(Subscription::Block { mentions, config: parse(params, 1)? })
        }
        "logsSubscribe" => match params.first() {
            Some(Value::String(all)) if all == "all" || all == "allWithVotes" => {
                Ok(Subscription::Logs { mentions: None })
            }
            Some(Value::Object(filter)) => match filter.get("mentions").and_then(Value::as_array).map(Vec::as_slice) {
                Some([Value::String(key)]) => Ok(Subscription::Logs { mentions: Some(pubkey(key)?) }),
                _ => Err("Invalid params: `mentions` takes exactly one address".to_owned()),
            },
            _ => Err("Invalid params: expected \"all\", \"allWithVotes\" or { \"mentions\": [address] }".to_owned()),
        },
        _ => Err(format!("Method not found: {method}")),
    }
}

fn notification(method: &str, id: u64, result: Value) -> Message {
    Message::Text(
        json!({ "jsonrpc": "2.0", "method": method, "params": { "result": result, "subscription": id } }).to_string(),
    )
}

/// The notification `subscription` gets for `event`, if any; `true` when it was a one-shot.
/// `decimals`: the mint's, when the event is a token account's change (for `jsonParsed`).
fn notify(subscription: &Subscription, id: u64, event: &Event, decimals: Option<u8>) -> Option<(Message, bool)> {
    match (subscription, event) {
        (Subscription::Slot, Event::Slot { slot }) => Some((
            notification(
                "slotNotification",
                id,
                json!(SlotInfo { slot: *slot, parent: slot.saturating_sub(1), root: *slot }),
            ),
            false,
        )),
        (Subscription::Account { pubkey, encoding }, Event::Account { pubkey: key, account, slot })
            if key == pubkey =>
        {
            Some((
                notification(
                    "accountNotification",
                    id,
                    with_context(*slot, encoding::ui_account(pubkey, account, *encoding, None, decimals)),
                ),
                false,
            ))
        }
        (Subscription::Program { program, encoding, filters }, Event::Account { pubkey, account, slot })
            if account.owner == *program =>
        {
            filters.iter().all(|f| encoding::filter_allows(f, account)).then(|| {
                let value = RpcKeyedAccount {
                    pubkey: pubkey.to_string(),
                    account: encoding::ui_account(pubkey, account, *encoding, None, decimals),
                };
                (notification("programNotification", id, with_context(*slot, value)), false)
            })
        }
        (Subscription::Root, Event::Slot { slot }) => Some((notification("rootNotification", id, json!(slot)), false)),
        (Subscription::SlotsUpdates, Event::Slot { slot }) => {
            let timestamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
            let update = SlotUpdate::Root { slot: *slot, timestamp };
            Some((notification("slotsUpdatesNotification", id, json!(update)), false))
        }
        (Subscription::Logs { mentions }, Event::Logs { signature, err, logs, accounts, slot })
            if mentions.is_none_or(|key| accounts.contains(&key)) =>
        {
            let value = RpcLogsResponse { signature: signature.to_string(), err: err.clone(), logs: logs.clone() };
            Some((notification("logsNotification", id, with_context(*slot, value)), false))
        }
        (Subscription::Signature { signature }, Event::Signature { signature: landed, err, slot })
            if landed == signature =>
        {
            let result = RpcSignatureResult::ProcessedSignature(ProcessedSignatureResult { err: err.clone() });
            Some((notification("signatureNotification", id, with_context(*slot, result)), true))
        }
        _ => None,
    }
}

/// The `blockNotification` for the block of slot `at`, encoded as the subscription asked.
fn block_notification(
    chain: &Chain,
    id: u64,
    at: Slot,
    mentions: Option<&Pubkey>,
    config: &RpcBlockSubscribeConfig,
) -> Option<Message> {
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
        Ok(block) => RpcBlockUpdate { slot: at, block: Some(block), err: None },
        Err(EncodeError::UnsupportedTransactionVersion(version)) => RpcBlockUpdate {
            slot: at,
            block: None,
            err: Some(RpcBlockUpdateError::UnsupportedTransactionVersion(version)),
        },
    };
    Some(notification("blockNotification", id, with_context(at, update)))
}

async fn connection(stream: TcpStream, chain: Shared) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let socket = tokio_tungstenite::accept_async(stream).await?;
    let (mut sink, mut source) = socket.split();
    let mut events = chain.lock().await.events.subscribe();
    let mut subscriptions: HashMap<u64, Subscription> = HashMap::new();
    let mut next_id = 0u64;
    loop {
        tokio::select! {
            message = source.next() => {
                let Some(message) = message else { return Ok(()) };
                let text = match message? {
                    Message::Text(text) => text,
                    Message::Close(_) => return Ok(()),
                    Message::Ping(payload) => { sink.send(Message::Pong(payload)).await?; continue }
                    _ => continue,
                };
                let request: Value = match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(e) => {
                        sink.send(Message::Text(json!({ "jsonrpc": "2.0", "error": { "code": -32700, "message": format!("Parse error: {e}") }, "id": null }).to_string())).await?;
                        continue;
                    }
                };
                let id = request.get("id").cloned().unwrap_or(Value::Null);
                let method = request.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();
                let params = request.get("params").and_then(Value::as_array).cloned().unwrap_or_default();
                let reply = if method.ends_with("Unsubscribe") {
                    let removed = params.first().and_then(Value::as_u64).and_then(|sub| subscriptions.remove(&sub)).is_some();
                    json!({ "jsonrpc": "2.0", "result": removed, "id": id })
                } else {
                    match subscribe(&method, &params) {
                        Ok(subscription) => {
                            next_id += 1;
                            // A signature that already landed is reported at once: clients subscribe after sending.
                            let landed = match &subscription {
                                Subscription::Signature { signature } => {
                                    chain.lock().await.transaction(signature).map(|r| Event::Signature { signature: *signature, err: r.err(), slot: r.slot })
                                }
                                _ => None,
                            };
                            sink.send(Message::Text(json!({ "jsonrpc": "2.0", "result": next_id, "id": id }).to_string())).await?;
                            match landed.as_ref().and_then(|event| notify(&subscription, next_id, event, None)) {
                                Some((message, _)) => sink.send(message).await?,
                                None => { subscriptions.insert(next_id, subscription); }
                            }
                            continue;
                        }
                        Err(message) => {
                            let code = if message.starts_with("Method not found") { -32601 } else { -32602 };
                            json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id })
                        }
                    }
                };
                sink.send(Message::Text(reply.to_string())).await?;
            }
            event = events.recv() => {
                let event = match event {
                    Ok(event) => event,
                    // Too slow a reader missed events: a signature it waits for may be among them, so
                    // each one that landed meanwhile is reported from the chain's record.
                    Err(RecvError::Lagged(_)) => {
                        let chain = chain.lock().await;
                        let mut landed = Vec::new();
                        for (id, subscription) in &subscriptions {
                            if let Subscription::Signature { signature } = subscription {
                                if let Some(record) = chain.transaction(signature) {
                                    let event = Event::Signature { signature: *signature, err: record.err(), slot: record.slot };
                                    landed.extend(notify(subscription, *id, &event, None).map(|(message, _)| (*id, message)));
                                }
                            }
                        }
                        drop(chain);
                        for (id, message) in landed {
                            sink.send(message).await?;
                            subscriptions.remove(&id);
                        }
                        continue;
                    }
                    Err(RecvError::Closed) => return Ok(()),
                };
                let parsed = subscriptions.values().any(|s| matches!(s, Subscription::Account { encoding: DataEncoding::JsonParsed, .. } | Subscription::Program { encoding: DataEncoding::JsonParsed, .. }));
                let decimals = match &event {
                    Event::Account { account, .. } if parsed => chain.lock().await.token_decimals(account),
                    _ => None,
                };
                // A slot's start finishes its parent's block.
                if let Event::Slot { slot } = &event {
                    let mut blocks = Vec::new();
                    if subscriptions.values().any(|s| matches!(s, Subscription::Block { .. })) {
                        let chain = chain.lock().await;
                        for (id, subscription) in &subscriptions {
                            if let Subscription::Block { mentions, config } = subscription {
                                blocks.extend(block_notification(&chain, *id, slot.saturating_sub(1), mentions.as_ref(), config));
                            }
                        }
                    }
                    for message in blocks {
                        sink.send(message).await?;
                    }
                }
                let mut finished = Vec::new();
                for (id, subscription) in &subscriptions {
                    if let Some((message, one_shot)) = notify(subscription, *id, &event, decimals) {
                        sink.send(message).await?;
                        if one_shot {
                            finished.push(*id);
                        }
                    }
                }
                for id in finished {
                    subscriptions.remove(&id);
                }
            }
        }
    }
}
