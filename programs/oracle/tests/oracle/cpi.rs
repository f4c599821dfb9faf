//! Proof that cross-program invocation works with natively compiled programs: a native program CPIs
//! into SPL Token (the real SBF program) and into the natively compiled oracle, signing with PDAs.
use lantern_test_support::cpi_probe;
use lantern_test_support::solana_sdk::signature::Signer;

use crate::common::*;

#[tokio::test]
async fn cpi_into_spl_token_mints_with_a_pda_authority() {
    let mut f = Fixture::with(Setup { members: 0, ..Setup::default() }).await;
    let authority = cpi_probe::pda(cpi_probe::MINT_AUTHORITY_SEED).0;
    let mint = f.chain.create_mint(&authority, 6).await;
    let holder = f.chain.keypair().await;
    let account = f.chain.create_token_account(&mint, &holder.pubkey()).await;
    f.chain.send_ok(&[cpi_probe::mint_to(mint, account, 42_000)], &[]).await;
    assert_eq!(f.chain.token_balance(account).await, 42_000);
}

#[tokio::test]
async fn cpi_into_the_oracle_signed_by_a_pda_member() {
    let mut f = Fixture::with(Setup { members: 0, ..Setup::default() }).await;
    let member_pda = cpi_probe::pda(cpi_probe::MEMBER_SEED).0;
    let authority = f.chain.keypair().await;
    let admin = f.admin.insecure_clone();
    let add = f.add_member_ix(authority.pubkey(), member_pda, 1);
    f.chain.send_ok(&[add], &[&admin]).await;

    let now = f.chain.now().await;
    f.chain.send_ok(&[cpi_probe::submit_price(f.committee, f.feed, 98 * WAD / 100, now)], &[]).await;

    let committee = f.committee_state().await;
    assert_eq!(committee.members[0].price, 98 * WAD / 100);
    let feed = f.feed_state().await;
    assert_eq!(feed.market_price, 98 * WAD / 100, "one member with quorum 1 sets the market price");
}
