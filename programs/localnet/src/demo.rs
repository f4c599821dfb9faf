//! `--bootstrap-demo`: the demo world — an LRT with its committee of 9 (local keys), its restaking pool,
//! the SOL lending pool and the LRT market, and funded wallets — written out for the other tools.
use std::path::{Path, PathBuf};

use lantern_runtime::world::{MarginWorld, User, World, SOL, WAD};
use lantern_runtime::RuntimeChain;
use margin::state::PricingPolicy;
use serde::{Serialize, Serializer};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// What `<dir>/demo.json` holds: every address of the demo world and where its keypairs are. The
/// TypeScript side reads it as `DemoManifest` (`sdk/src/demo.ts`), field for field.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoManifest {
    pub programs: Programs,
    #[serde(serialize_with = "base58")]
    pub lrt_mint: Pubkey,
    #[serde(serialize_with = "base58")]
    pub committee: Pubkey,
    #[serde(serialize_with = "base58")]
    pub feed: Pubkey,
    #[serde(serialize_with = "base58")]
    pub stake_pool: Pubkey,
    #[serde(serialize_with = "base58")]
    pub reserve_vault: Pubkey,
    #[serde(serialize_with = "base58")]
    pub escrow_vault: Pubkey,
    #[serde(serialize_with = "base58")]
    pub lending_pool: Pubkey,
    #[serde(serialize_with = "base58")]
    pub lending_vault: Pubkey,
    #[serde(serialize_with = "base58")]
    pub market: Pubkey,
    #[serde(serialize_with = "base58")]
    pub insurance_vault: Pubkey,
    pub admin: KeypairFile,
    pub guardian: KeypairFile,
    pub stake_manager: KeypairFile,
    pub members: Vec<MemberKeys>,
    pub wallets: Wallets,
    pub trader_sub_account: SubAccountAddresses,
}

#[derive(Serialize)]
pub struct Programs {
    #[serde(serialize_with = "base58")]
    oracle: Pubkey,
    #[serde(serialize_with = "base58")]
    restaking: Pubkey,
    #[serde(serialize_with = "base58")]
    margin: Pubkey,
}

/// A keypair written as a Solana CLI keypair file.
#[derive(Serialize)]
pub struct KeypairFile {
    #[serde(serialize_with = "base58")]
    pubkey: Pubkey,
    keypair: PathBuf,
}

#[derive(Serialize)]
pub struct MemberKeys {
    authority: KeypairFile,
    signer: KeypairFile,
}

/// A funded wallet with its wrapped-SOL and LRT token accounts.
#[derive(Serialize)]
pub struct Wallet {
    #[serde(flatten)]
    key: KeypairFile,
    #[serde(serialize_with = "base58")]
    wsol: Pubkey,
    #[serde(serialize_with = "base58")]
    lrt: Pubkey,
}

#[derive(Serialize)]
pub struct Wallets {
    trader: Wallet,
    lender: Wallet,
    liquidator: Wallet,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubAccountAddresses {
    #[serde(serialize_with = "base58")]
    address: Pubkey,
    #[serde(serialize_with = "base58")]
    collateral_vault: Pubkey,
    index: u16,
}

fn base58<S: Serializer>(key: &Pubkey, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(key)
}

fn write_keypair(dir: &Path, name: &str, key: &Keypair) -> std::io::Result<KeypairFile> {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string(&key.to_bytes().to_vec())?)?;
    Ok(KeypairFile { pubkey: key.pubkey(), keypair: path })
}

/// Builds the demo world on `test`, writes keypairs under `dir/keys` and returns the manifest.
pub async fn bootstrap(test: RuntimeChain, dir: &Path) -> std::io::Result<(RuntimeChain, DemoManifest)> {
    let keys_dir = dir.join("keys");
    std::fs::create_dir_all(&keys_dir)?;
    let mut mw = MarginWorld::on(World::on(test).await, PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(10_000 * SOL).await;
    let (trader, sub) = mw.trader(100 * SOL).await;
    let liquidator = mw.w.user(1_000 * SOL).await;
    mw.fresh_prices(WAD).await;

    let members =
        mw.w.members
            .iter()
            .enumerate()
            .map(|(i, member)| {
                Ok(MemberKeys {
                    authority: write_keypair(&keys_dir, &format!("member-{i}-authority"), &member.authority)?,
                    signer: write_keypair(&keys_dir, &format!("member-{i}-signer"), &member.signer)?,
                })
            })
            .collect::<std::io::Result<Vec<_>>>()?;
    let wallet = |name: &str, user: &User| -> std::io::Result<Wallet> {
        Ok(Wallet { key: write_keypair(&keys_dir, name, &user.key)?, wsol: user.wsol, lrt: user.lrt })
    };
    let (w, m) = (&mw.w, &mw.m);
    let manifest = DemoManifest {
        programs: Programs { oracle: oracle::ID, restaking: restaking::ID, margin: margin::ID },
        lrt_mint: w.keys.lrt_mint,
        committee: w.committee,
        feed: w.keys.feed,
        stake_pool: w.keys.pool,
        reserve_vault: w.keys.reserve_vault,
        escrow_vault: w.keys.escrow_vault,
        lending_pool: m.pool,
        lending_vault: m.vault,
        market: m.market,
        insurance_vault: m.insurance_vault,
        admin: write_keypair(&keys_dir, "admin", &w.admin)?,
        guardian: write_keypair(&keys_dir, "guardian", &w.guardian)?,
        stake_manager: write_keypair(&keys_dir, "stake-manager", &w.stake_manager)?,
        members,
        wallets: Wallets {
            trader: wallet("trader", &trader)?,
            lender: wallet("lender", &lender)?,
            liquidator: wallet("liquidator", &liquidator)?,
        },
        trader_sub_account: SubAccountAddresses { address: sub.sub, collateral_vault: sub.vault, index: 0 },
    };
    let MarginWorld { w: World { chain, .. }, .. } = mw;
    Ok((chain, manifest))
}
