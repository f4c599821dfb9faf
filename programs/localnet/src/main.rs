//! `lantern-localnet`: the embedded local chain. The real Solana runtime (`solana-program-test`'s bank)
//! with Lantern's programs compiled natively and SPL Token, behind the standard JSON-RPC (HTTP) and
//! WebSocket subscription APIs, so `@solana/web3.js` and Anchor work unchanged.
mod chain;
mod demo;
mod encoding;
mod http_edge;
mod node;
mod pubsub;
mod rpc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use jsonrpsee::core::middleware::RpcServiceBuilder;
use jsonrpsee::server::{IdProvider, Server, ServerConfig, ServerHandle};
use jsonrpsee::types::SubscriptionId;
use jsonrpsee::Methods;

use chain::Chain;
use node::{BankRuntime, Node};
use pubsub::PubSubServer;

const SLOT_DURATION: Duration = Duration::from_millis(400);

/// No practical cap on connections and subscriptions: a local chain's clients are its own tools, and a
/// pipelined benchmark or a keeper fleet opens many at once.
const MAX_CONNECTIONS: u32 = 10_000;
const MAX_SUBSCRIPTIONS_PER_CONNECTION: u32 = 100_000;

#[derive(Parser)]
#[command(name = "lantern-localnet", about = "Lantern's local chain: the real Solana runtime behind the standard RPC")]
struct Options {
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    #[arg(long, default_value_t = 8900)]
    ws_port: u16,
    /// Create the demo world and write its addresses to <DIR>/demo.json and its keypairs to <DIR>/keys/
    #[arg(long = "bootstrap-demo", value_name = "DIR")]
    demo: Option<PathBuf>,
    /// Enable the lantern_* test methods (never on a shared node)
    #[arg(long)]
    test_methods: bool,
    /// Keep the last N transactions for getTransaction, getSignaturesForAddress and getSignatureStatuses
    /// (memory stays bounded however long it runs)
    #[arg(long, value_name = "N", default_value_t = chain::DEFAULT_HISTORY, value_parser = positive)]
    history: usize,
}

fn positive(text: &str) -> Result<usize, String> {
    text.parse().ok().filter(|n| *n > 0).ok_or_else(|| "a positive number of transactions is expected".to_owned())
}

/// Subscription ids 1, 2, 3, …: small numbers, as web3.js reads ids as JavaScript numbers (a random
/// u64 above 2^53 would not survive its `JSON.parse`).
#[derive(Debug, Default)]
struct SequentialIds(AtomicU64);

impl IdProvider for SequentialIds {
    fn next_id(&self) -> SubscriptionId<'static> {
        SubscriptionId::Num(self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

fn cannot_listen(addr: SocketAddr, e: std::io::Error, flag: &str) -> ! {
    eprintln!("Cannot listen on {addr} ({e}). Is another local chain running? Stop it or pass {flag}.");
    std::process::exit(1);
}

/// The JSON-RPC port (HTTP) and the subscription port (WebSocket), as a validator splits them.
async fn serve(node: &Node, options: &Options) -> (SocketAddr, SocketAddr, ServerHandle, ServerHandle) {
    let rpc_addr = SocketAddr::from(([127, 0, 0, 1], options.rpc_port));
    let ws_addr = SocketAddr::from(([127, 0, 0, 1], options.ws_port));
    let http_config = ServerConfig::builder()
        .http_only()
        .max_request_body_size(rpc::MAX_BODY_BYTES as u32)
        .max_response_body_size(u32::MAX)
        .max_connections(MAX_CONNECTIONS)
        .build();
    let http_layers =
        tower::ServiceBuilder::new().layer(tower_http::cors::CorsLayer::permissive()).layer(http_edge::HttpEdgeLayer);
    let http = Server::builder()
        .set_config(http_config)
        .set_http_middleware(http_layers)
        .set_rpc_middleware(RpcServiceBuilder::new().layer(rpc::ParamReasonsLayer))
        .build(rpc_addr)
        .await
        .unwrap_or_else(|e| cannot_listen(rpc_addr, e, "--rpc-port"));
    let ws_config = ServerConfig::builder()
        .ws_only()
        .set_id_provider(SequentialIds::default())
        .max_response_body_size(u32::MAX)
        .max_connections(MAX_CONNECTIONS)
        .max_subscriptions_per_connection(MAX_SUBSCRIPTIONS_PER_CONNECTION)
        .build();
    let ws = Server::builder()
        .set_config(ws_config)
        .build(ws_addr)
        .await
        .unwrap_or_else(|e| cannot_listen(ws_addr, e, "--ws-port"));
    let methods: Methods = rpc::methods(node, options.test_methods).into();
    (rpc_addr, ws_addr, http.start(methods), ws.start(PubSubServer::into_rpc(node.clone())))
}

#[tokio::main]
async fn main() {
    let options = Options::parse();
    let started = Instant::now();
    let bank = Arc::new(BankRuntime::new());
    let mut test = bank.run(Chain::start());
    let mut manifest = None;
    if let Some(dir) = &options.demo {
        match bank.run(demo::bootstrap(test, dir)) {
            Ok((chain, demo)) => {
                test = chain;
                let path = dir.join("demo.json");
                if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&demo).unwrap_or_default()) {
                    eprintln!("Could not write {}: {e}", path.display());
                    std::process::exit(1);
                }
                manifest = Some((path, demo));
            }
            Err(e) => {
                eprintln!("Could not write the demo world's files under {}: {e}", dir.display());
                std::process::exit(1);
            }
        }
    }
    let node = Node::new(bank.run(Chain::host(test, options.history)), bank.clone());
    bank.freeze_clock();
    let (rpc_addr, ws_addr, _http, _ws) = serve(&node, &options).await;
    let ticker = node.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(SLOT_DURATION);
        loop {
            interval.tick().await;
            ticker.with(async |chain| chain.advance_slot().await);
        }
    });

    println!("Lantern local chain ready in {} ms", started.elapsed().as_millis());
    println!("  JSON-RPC   http://{rpc_addr}");
    println!("  WebSocket  ws://{ws_addr}");
    if options.test_methods {
        println!("  test methods enabled: {}", rpc::TEST_METHODS.join(", "));
    }
    if let Some((path, demo)) = &manifest {
        println!("  demo world {}", path.display());
        let addresses = [
            ("lrtMint", demo.lrt_mint),
            ("committee", demo.committee),
            ("feed", demo.feed),
            ("stakePool", demo.stake_pool),
            ("lendingPool", demo.lending_pool),
            ("market", demo.market),
        ];
        for (name, address) in addresses {
            println!("    {name:<12} {address}");
        }
    }
    // Ctrl-C or SIGTERM ends the process at once: the chain keeps no state on disk, and waiting for
    // clients' keep-alive connections to close could take forever.
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    println!("Local chain stopped.");
    std::process::exit(0);
}
