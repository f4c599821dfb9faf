//! `--bootstrap-demo`: the demo world — an LRT with its committee of 9 (local keys), its restaking pool,
//! the SOL lending pool and the LRT market, and funded wallets — written out for the other tools.
use std::path::Path;

use lantern_runtime::world::{MarginWorld, World, SOL, WAD};
use lantern_runtime::RuntimeChain;
use margin::state::PricingPolicy;
use serde_json::{json, Value};
use solana_sdk::signature::{Keypair, Signer};

fn write_keypair(dir: &Path, name: &str, key: &Keypair) -> std::io::Result<Value> {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string(&key.to_bytes().to_vec())?)?;
    Ok(json!({ "pubkey": key.pubkey().to_string(), "keypair": path.to_string_lossy() }))
}

/// Builds the demo world on `test`, writes keypairs under `dir/keys` and returns the manifest.
pub async fn bootstrap(test: RuntimeChain, dir: &Path) -> std::io::Result<(RuntimeChain, Value)> {
    let keys_dir = dir.join("keys");
    std::fs::create_dir_all(&keys_dir)?;
    let mut mw = MarginWorld::on(World::on(test).await, PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(10_000 * SOL).await;
    let (trader, sub) = mw.trader(100 * SOL).await;
    let liquidator = mw.w.user(1_000 * SOL).await;
    mw.fresh_prices(WAD).await;

    let mut members = Vec::new();
    for (i, member) in mw.w.members.iter().enumerate() {
        members.push(json!({
            "authority": write_keypair(&keys_dir, &format!("member-{i}-authority"), &member.authority)?,
            "signer": write_keypair(&keys_dir, &format!("member-{i}-signer"), &member.signer)?,
        }));
    }
    let wallet = |name: &str, user: &lantern_runtime::world::User| -> std::io::Result<Value> {
        let mut entry = write_keypair(&keys_dir, name, &user.key)?;
        entry["wsol"] = json!(user.wsol.to_string());
        entry["lrt"] = json!(user.lrt.to_string());
        Ok(entry)
    };
    let (w, m) = (&mw.w, &mw.m);
    let manifest = json!({
        "programs": {
            "oracle": oracle::ID.to_string(),
            "restaking": restaking::ID.to_string(),
            "margin": margin::ID.to_string(),
        },
        "lrtMint": w.keys.lrt_mint.to_string(),
        "committee": w.committee.to_string(),
        "feed": w.keys.feed.to_string(),
        "stakePool": w.keys.pool.to_string(),
        "reserveVault": w.keys.reserve_vault.to_string(),
        "escrowVault": w.keys.escrow_vault.to_string(),
        "lendingPool": m.pool.to_string(),
        "lendingVault": m.vault.to_string(),
        "market": m.market.to_string(),
        "insuranceVault": m.insurance_vault.to_string(),
        "admin": write_keypair(&keys_dir, "admin", &w.admin)?,
        "guardian": write_keypair(&keys_dir, "guardian", &w.guardian)?,
        "stakeManager": write_keypair(&keys_dir, "stake-manager", &w.stake_manager)?,
        "members": members,
        "wallets": {
            "trader": wallet("trader", &trader)?,
            "lender": wallet("lender", &lender)?,
            "liquidator": wallet("liquidator", &liquidator)?,
        },
        "traderSubAccount": { "address": sub.sub.to_string(), "collateralVault": sub.vault.to_string(), "index": 0 },
    });
    let MarginWorld { w: World { chain, .. }, .. } = mw;
    Ok((chain, manifest))
}
