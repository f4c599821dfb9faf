//! Lantern's programs on the real Solana runtime (`solana-program-test`), compiled natively, with SPL
//! Token as the real SBF program that ships inside `solana-program-test`: what the local chain and the
//! tests share (registration, a chain driver, instruction builders, the demo world).
//!
//! Two pitfalls of native Anchor programs are solved here and in the workspace:
//! - Anchor's `entry` wants `&'info [AccountInfo<'info>]`, stricter than `processor!` gives; the
//!   wrappers below copy the account list into a leaked `Vec` so both lifetimes are the same.
//! - CPI: Anchor 0.31 calls `solana_program::program::invoke_signed`, which off-chain goes through the
//!   syscall stubs that `solana-program-test` installs, so CPI works natively (0.32 would route it
//!   through `solana-invoke`, which panics off-chain). Hence the pin on 0.31.
pub mod event_logs;
pub mod execution;
pub mod margin_ops;
pub mod oracle_ops;
pub mod restaking_ops;
pub mod simulation;
pub mod status_cache;
pub mod world;

use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::AccountDeserialize;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::{
    account::Account,
    clock::Clock,
    compute_budget::ComputeBudgetInstruction,
    instruction::{Instruction, InstructionError},
    program_pack::Pack,
    signature::{Keypair, Signer},
    transaction::{Transaction, TransactionError},
};
use solana_system_interface::instruction as system_instruction;

pub use solana_program_test;
pub use solana_sdk;

/// Lamports every funded keypair starts with.
pub const FUNDING: u64 = 100_000_000_000;

/// A `processor!`-compatible wrapper around an Anchor program's `entry`.
macro_rules! native_entry {
    ($name:ident, $entry:path) => {
        fn $name(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
            let accounts = Box::leak(Box::new(accounts.to_vec()));
            $entry(program_id, accounts, data)
        }
    };
}

native_entry!(oracle_entry, oracle::entry);
native_entry!(restaking_entry, restaking::entry);
native_entry!(margin_entry, margin::entry);

/// The runtime with every Lantern program (natively compiled) and SPL Token (SBF).
pub fn lantern_programs() -> ProgramTest {
    // The runtime logs every instruction at debug level; tests assert on state, not on logs.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let mut test = ProgramTest::default();
    test.prefer_bpf(false);
    test.add_program("oracle", oracle::ID, processor!(oracle_entry));
    test.add_program("restaking", restaking::ID, processor!(restaking_entry));
    test.add_program("margin", margin::ID, processor!(margin_entry));
    test
}

/// A running chain plus helpers to fund keys, send transactions, read accounts and move the clock.
pub struct RuntimeChain {
    pub ctx: ProgramTestContext,
    nonce: u32,
    /// Every account a transaction sent through this chain named, so a host can index them.
    pub touched: std::collections::BTreeSet<Pubkey>,
}

/// Custom program error code of a failed transaction, if that is how it failed.
pub fn custom_error(err: &BanksClientError) -> Option<u32> {
    let tx_error = match err {
        BanksClientError::TransactionError(e) => e,
        BanksClientError::SimulationError { err, .. } => err,
        _ => return None,
    };
    match tx_error {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
        _ => None,
    }
}

impl RuntimeChain {
    pub async fn start() -> Self {
        Self::start_with(lantern_programs()).await
    }

    pub async fn start_with(test: ProgramTest) -> Self {
        let ctx = test.start_with_context().await;
        event_logs::install();
        Self { ctx, nonce: 0, touched: Default::default() }
    }

    /// The working bank, for what program-test's banks interface does not carry or only through a
    /// round trip to its server task (the local chain reads and executes on it directly).
    pub fn bank(&self) -> std::sync::Arc<solana_runtime::bank::Bank> {
        self.ctx.bank_forks().read().unwrap().working_bank()
    }

    pub fn payer(&self) -> Keypair {
        self.ctx.payer.insecure_clone()
    }

    /// Sends `instructions` signed by the payer and `signers`. Each transaction gets a distinct
    /// compute-unit limit so that re-sending the same instructions is a new transaction.
    pub async fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<(), BanksClientError> {
        self.nonce += 1;
        let mut all = vec![ComputeBudgetInstruction::set_compute_unit_limit(1_400_000 - self.nonce)];
        all.extend_from_slice(instructions);
        let payer = self.payer();
        let mut keys: Vec<&Keypair> = vec![&payer];
        keys.extend(signers.iter().copied().filter(|k| k.pubkey() != payer.pubkey()));
        let blockhash = self.ctx.banks_client.get_latest_blockhash().await?;
        let tx = Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, blockhash);
        self.touched.extend(tx.message.account_keys.iter().copied());
        self.ctx.banks_client.process_transaction(tx).await
    }

    /// Sends and panics with the runtime's error when the transaction fails.
    pub async fn send_ok(&mut self, instructions: &[Instruction], signers: &[&Keypair]) {
        if let Err(err) = self.send(instructions, signers).await {
            panic!("transaction failed: {err:?}");
        }
    }

    pub async fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.ctx.banks_client.get_account(*key).await.expect("get_account"));
        }
        out
    }

    pub async fn account(&mut self, key: Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(key).await.expect("get_account")
    }

    pub async fn anchor_account<T: AccountDeserialize>(&mut self, key: Pubkey) -> T {
        let account = self.account(key).await.unwrap_or_else(|| panic!("account {key} missing"));
        T::try_deserialize(&mut account.data.as_slice()).expect("decode account")
    }

    /// Makes `authority` the upgrade authority of `program` by writing its ProgramData account, as a
    /// deployment with the upgradeable loader would (the natively registered programs have none).
    pub fn set_upgrade_authority(&mut self, program: &Pubkey, authority: &Pubkey) {
        let loader = solana_sdk::bpf_loader_upgradeable::ID;
        let (address, _) = Pubkey::find_program_address(&[program.as_ref()], &loader);
        // UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address: Some(authority) },
        // bincode: variant 3 (u32), slot (u64), Some (1) + key.
        let mut data = vec![3, 0, 0, 0];
        data.extend_from_slice(&0u64.to_le_bytes());
        data.push(1);
        data.extend_from_slice(authority.as_ref());
        let account = Account { lamports: 1_000_000_000, data, owner: loader, executable: false, rent_epoch: u64::MAX };
        self.ctx.set_account(&address, &account.into());
    }

    pub async fn keypair(&mut self) -> Keypair {
        let key = Keypair::new();
        let payer = self.payer();
        self.send_ok(&[system_instruction::transfer(&payer.pubkey(), &key.pubkey(), FUNDING)], &[]).await;
        key
    }

    pub async fn clock(&mut self) -> Clock {
        self.ctx.banks_client.get_sysvar::<Clock>().await.expect("clock")
    }

    pub async fn now(&mut self) -> i64 {
        self.clock().await.unix_timestamp
    }

    /// Sets the chain's unix time (the slot stays; programs read time from the Clock sysvar).
    pub async fn warp_to(&mut self, unix_timestamp: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
    }

    pub async fn warp_by(&mut self, secs: i64) {
        let now = self.now().await;
        self.warp_to(now + secs).await;
    }

    /// Creates an SPL Token mint with `authority` as its mint authority.
    pub async fn create_mint(&mut self, authority: &Pubkey, decimals: u8) -> Pubkey {
        self.create_token_program_account(spl_token::state::Mint::LEN, |mint| {
            spl_token::instruction::initialize_mint2(&spl_token::ID, mint, authority, None, decimals)
        })
        .await
    }

    /// Creates an SPL Token account for `mint` owned by `owner`.
    pub async fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        self.create_token_program_account(spl_token::state::Account::LEN, |account| {
            spl_token::instruction::initialize_account3(&spl_token::ID, account, mint, owner)
        })
        .await
    }

    /// Allocates a rent-exempt account owned by SPL Token and initialises it in the same transaction.
    async fn create_token_program_account(
        &mut self,
        len: usize,
        initialize: impl FnOnce(&Pubkey) -> Result<Instruction, anchor_lang::prelude::ProgramError>,
    ) -> Pubkey {
        let account = Keypair::new();
        let payer = self.payer();
        let lamports = self.rent(len).await;
        let instructions = [
            system_instruction::create_account(
                &payer.pubkey(),
                &account.pubkey(),
                lamports,
                len as u64,
                &spl_token::ID,
            ),
            initialize(&account.pubkey()).expect("SPL Token instruction"),
        ];
        self.send_ok(&instructions, &[&account]).await;
        account.pubkey()
    }

    /// Creates a wSOL account for `owner` holding `lamports`.
    pub async fn create_wsol_account(&mut self, owner: &Pubkey, lamports: u64) -> Pubkey {
        let account = self.create_token_account(&spl_token::native_mint::ID, owner).await;
        if lamports > 0 {
            self.wrap_sol(account, lamports).await;
        }
        account
    }

    /// Adds `lamports` to a wSOL account (transfer, then sync the token balance).
    pub async fn wrap_sol(&mut self, account: Pubkey, lamports: u64) {
        let payer = self.payer();
        let instructions = [
            system_instruction::transfer(&payer.pubkey(), &account, lamports),
            spl_token::instruction::sync_native(&spl_token::ID, &account).expect("sync_native"),
        ];
        self.send_ok(&instructions, &[]).await;
    }

    pub async fn token_balance(&mut self, account: Pubkey) -> u64 {
        let data = self.account(account).await.expect("token account").data;
        spl_token::state::Account::unpack(&data).expect("token account").amount
    }

    /// Rent-exempt minimum for an account of `len` bytes.
    pub async fn rent(&mut self, len: usize) -> u64 {
        self.ctx.banks_client.get_rent().await.expect("rent").minimum_balance(len)
    }
}
