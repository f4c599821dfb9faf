//! `lantern-localnet`: the embedded local chain. The real Solana runtime (`solana-program-test`'s bank)
//! with Lantern's programs compiled natively and SPL Token, behind the standard JSON-RPC (HTTP) and
//! WebSocket subscription APIs, so `@solana/web3.js` and Anchor work unchanged.
mod chain;
mod demo;
mod encoding;
mod rpc;
mod ws;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::HttpBody;
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Method, Request, Response, Server, StatusCode};
use tokio::sync::Mutex;

use chain::Chain;
use rpc::Shared;

const SLOT_DURATION: Duration = Duration::from_millis(400);

struct Options {
    rpc_port: u16,
    ws_port: u16,
    demo: Option<PathBuf>,
    test_methods: bool,
    history: usize,
}

const USAGE: &str =
    "usage: lantern-localnet [--rpc-port 8899] [--ws-port 8900] [--bootstrap-demo <dir>] [--test-methods]
                        [--history 20000]

  --bootstrap-demo <dir>  create the demo world and write its addresses to <dir>/demo.json
                          and its keypairs to <dir>/keys/
  --test-methods          enable the lantern_* test methods (never on a shared node)
  --history <n>           keep the last n transactions for getTransaction, getSignaturesForAddress
                          and getSignatureStatuses (memory stays bounded however long it runs)";

fn parse_options() -> Result<Options, String> {
    let mut options =
        Options { rpc_port: 8899, ws_port: 8900, demo: None, test_methods: false, history: chain::DEFAULT_HISTORY };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--rpc-port" => {
                options.rpc_port = value("--rpc-port")?.parse().map_err(|_| "--rpc-port takes a port number")?
            }
            "--ws-port" => {
                options.ws_port = value("--ws-port")?.parse().map_err(|_| "--ws-port takes a port number")?
            }
            "--bootstrap-demo" => options.demo = Some(PathBuf::from(value("--bootstrap-demo")?)),
            "--test-methods" => options.test_methods = true,
            "--history" => {
                options.history = value("--history")?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--history takes a positive number of transactions")?
            }
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

/// The runtime the bank lives on. `solana-program-test` registers a fresh blockhash every 6.4 ms of its
/// runtime's clock, which under load would expire a blockhash within a second (a validator registers
/// one per slot). Once the chain is built, this runtime's clock is frozen: it moves only when the
/// chain advances a slot, by exactly one blockhash interval (`Chain::advance_slot`), so a blockhash
/// lives 150 slots whatever the load. Frozen = paused, plus a blocking task that lives as long as the
/// chain, because tokio auto-advances a paused clock whenever the runtime idles unless a blocking task
/// is running. (The freeze waits for the demo world: building it sends through the banks client's
/// polling path, which needs a clock that moves; nothing the chain serves afterwards waits on a timer.)
struct BankRuntime {
    /// Dropped before the runtime, ending the blocking task so that the runtime can shut down.
    clock_hold: std::sync::Mutex<Option<std::sync::mpsc::Sender<()>>>,
    runtime: tokio::runtime::Runtime,
}

impl BankRuntime {
    fn new() -> Self {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime for the bank");
        Self { clock_hold: std::sync::Mutex::new(None), runtime }
    }

    /// Runs `work` on the bank's runtime from any async context of the server.
    fn run<F: std::future::Future>(&self, work: F) -> F::Output {
        tokio::task::block_in_place(|| self.runtime.block_on(work))
    }

    fn freeze_clock(&self) {
        let (hold, released) = std::sync::mpsc::channel::<()>();
        self.run(async move {
            tokio::time::pause();
            tokio::task::spawn_blocking(move || while released.recv().is_ok() {});
        });
        if let Ok(mut slot) = self.clock_hold.lock() {
            *slot = Some(hold);
        }
    }
}

async fn http(
    request: Request<Body>,
    chain: Shared,
    bank: Arc<BankRuntime>,
    test_methods: bool,
) -> Result<Response<Body>, Infallible> {
    let json = |status: StatusCode, body: String| {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap_or_default()
    };
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/health") => return Ok(Response::new(Body::from("ok"))),
        (&Method::POST, _) => {}
        (&Method::OPTIONS, _) => return Ok(Response::builder().status(StatusCode::NO_CONTENT).body(Body::empty()).unwrap_or_default()),
        _ => return Ok(json(StatusCode::METHOD_NOT_ALLOWED, r#"{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: POST a JSON-RPC request"},"id":null}"#.into())),
    }
    let mut body = request.into_body();
    let mut bytes = Vec::new();
    let mut too_large = false;
    // An oversized body is read to its end (and dropped) before the error, so the client, still
    // sending, gets the JSON-RPC error rather than a reset connection.
    while let Some(chunk) = body.data().await {
        let Ok(chunk) = chunk else { break };
        too_large |= bytes.len() + chunk.len() > rpc::MAX_BODY_BYTES;
        if !too_large {
            bytes.extend_from_slice(&chunk);
        }
    }
    if too_large {
        let message = format!(
            r#"{{"jsonrpc":"2.0","error":{{"code":-32600,"message":"Invalid request: the body is larger than {} bytes"}},"id":null}}"#,
            rpc::MAX_BODY_BYTES
        );
        return Ok(json(StatusCode::PAYLOAD_TOO_LARGE, message));
    }
    let response = bank.run(rpc::handle_body(&chain, &bytes, test_methods));
    Ok(json(StatusCode::OK, response.to_string()))
}

#[tokio::main]
async fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}\n");
            }
            eprintln!("{USAGE}");
            std::process::exit(if message.is_empty() { 0 } else { 2 });
        }
    };
    let started = Instant::now();
    let bank = Arc::new(BankRuntime::new());
    let mut test = bank.run(Chain::start());
    let mut manifest = None;
    if let Some(dir) = &options.demo {
        match bank.run(demo::bootstrap(test, dir)) {
            Ok((chain, value)) => {
                test = chain;
                let path = dir.join("demo.json");
                if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap_or_default()) {
                    eprintln!("Could not write {}: {e}", path.display());
                    std::process::exit(1);
                }
                manifest = Some((path, value));
            }
            Err(e) => {
                eprintln!("Could not write the demo world's files under {}: {e}", dir.display());
                std::process::exit(1);
            }
        }
    }
    let chain: Shared = Arc::new(Mutex::new(bank.run(Chain::host(test, options.history))));
    bank.freeze_clock();

    let rpc_addr = SocketAddr::from(([127, 0, 0, 1], options.rpc_port));
    let ws_addr = SocketAddr::from(([127, 0, 0, 1], options.ws_port));
    let ws_listener = match tokio::net::TcpListener::bind(ws_addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("Cannot listen on {ws_addr} ({e}). Is another local chain running? Stop it or pass --ws-port.");
            std::process::exit(1);
        }
    };
    let test_methods = options.test_methods;
    let service_chain = chain.clone();
    let service_bank = bank.clone();
    let make_service = make_service_fn(move |_| {
        let (chain, bank) = (service_chain.clone(), service_bank.clone());
        async move {
            Ok::<_, Infallible>(service_fn(move |request| http(request, chain.clone(), bank.clone(), test_methods)))
        }
    });
    let server = match Server::try_bind(&rpc_addr) {
        // Without TCP_NODELAY a small response waits ~40 ms for the client's delayed ACK (Nagle).
        Ok(builder) => builder.tcp_nodelay(true).serve(make_service),
        Err(e) => {
            eprintln!("Cannot listen on {rpc_addr} ({e}). Is another local chain running? Stop it or pass --rpc-port.");
            std::process::exit(1);
        }
    };
    tokio::spawn(ws::serve(ws_listener, chain.clone()));
    let ticker = chain.clone();
    let ticker_bank = bank.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(SLOT_DURATION);
        loop {
            interval.tick().await;
            ticker_bank.run(async { ticker.lock().await.advance_slot().await });
        }
    });

    println!("Lantern local chain ready in {} ms", started.elapsed().as_millis());
    println!("  JSON-RPC   http://{rpc_addr}");
    println!("  WebSocket  ws://{ws_addr}");
    if test_methods {
        println!("  test methods enabled: lantern_warpTime, lantern_warpSlots, lantern_setAccount");
    }
    if let Some((path, value)) = &manifest {
        println!("  demo world {}", path.display());
        for key in ["lrtMint", "committee", "feed", "stakePool", "lendingPool", "market"] {
            println!("    {key:<12} {}", value[key].as_str().unwrap_or_default());
        }
    }
    tokio::spawn(async move {
        if let Err(e) = server.await {
            eprintln!("The RPC server stopped: {e}");
            std::process::exit(1);
        }
    });
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
