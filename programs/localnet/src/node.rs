//! The node every RPC method and subscription serves from: the chain, the runtime its bank lives on,
//! and the stream of what happens on it.
use std::sync::Arc;

use tokio::sync::{broadcast, Mutex};

use crate::chain::{Chain, Event};

/// The runtime the bank lives on. `solana-program-test` registers a fresh blockhash every 6.4 ms of its
/// runtime's clock, which under load would expire a blockhash within a second (a validator registers
/// one per slot). Once the chain is built, this runtime's clock is frozen: it moves only when the
/// chain advances a slot, by exactly one blockhash interval (`Chain::advance_slot`), so a blockhash
/// lives 150 slots whatever the load. Frozen = paused, plus a blocking task that lives as long as the
/// chain, because tokio auto-advances a paused clock whenever the runtime idles unless a blocking task
/// is running. (The freeze waits for the demo world: building it sends through the banks client's
/// polling path, which needs a clock that moves; nothing the chain serves afterwards waits on a timer.)
pub struct BankRuntime {
    /// Dropped before the runtime, ending the blocking task so that the runtime can shut down.
    clock_hold: std::sync::Mutex<Option<std::sync::mpsc::Sender<()>>>,
    runtime: tokio::runtime::Runtime,
}

impl BankRuntime {
    pub fn new() -> Self {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime for the bank");
        Self { clock_hold: std::sync::Mutex::new(None), runtime }
    }

    /// Runs `work` on the bank's runtime from any context of the server's (multi-thread) runtime.
    pub fn run<F: std::future::Future>(&self, work: F) -> F::Output {
        tokio::task::block_in_place(|| self.runtime.block_on(work))
    }

    pub fn freeze_clock(&self) {
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

/// Shared by every method and subscription; cheap to clone.
#[derive(Clone)]
pub struct Node {
    chain: Arc<Mutex<Chain>>,
    bank: Arc<BankRuntime>,
    events: broadcast::Sender<Arc<Event>>,
}

impl Node {
    pub fn new(chain: Chain, bank: Arc<BankRuntime>) -> Self {
        let events = chain.events.clone();
        Self { chain: Arc::new(Mutex::new(chain)), bank, events }
    }

    /// Runs `work` with the chain to itself (one request at a time, as the runtime's bank is one), on
    /// the bank's runtime.
    pub fn with<R>(&self, work: impl AsyncFnOnce(&mut Chain) -> R) -> R {
        self.bank.run(async {
            let mut chain = self.chain.lock().await;
            work(&mut chain).await
        })
    }

    /// What happens on the chain from now on.
    pub fn events(&self) -> broadcast::Receiver<Arc<Event>> {
        self.events.subscribe()
    }
}
