//! End-to-end flows through the pool: deposit, queue, finalize, claim, instant exit, delegation.
use lantern_test_support::solana_sdk::signature::Signer;
use lantern_test_support::world::*;

#[tokio::test]
async fn deposit_queue_finalize_claim() {
    let mut w = World::new().await;
    let user = w.user(10 * SOL).await;
    let lrt = w.deposit(&user, 10 * SOL).await;
    assert_eq!(lrt, 10 * SOL, "1 LRT per SOL at the initial rate");

    // Rate rises 0.025% over a day: allowed by the annual limit and the smoothing cap.
    w.report(WAD + WAD / 4_000, false).await.expect("report");
    let owner = user.key.insecure_clone();
    let request = w.keys.request_withdrawal(owner.pubkey(), user.lrt, 0, 4 * SOL);
    w.chain.send_ok(&[request], &[&owner]).await;
    w.chain.send_ok(&[w.keys.finalize_withdrawals(0, 0)], &[]).await;
    let pool = w.pool().await;
    assert_eq!(pool.locked_lamports, 4 * SOL + 4 * SOL / 4_000);
    let claim = w.keys.claim(owner.pubkey(), 0, user.wsol);
    w.chain.send_ok(&[claim], &[&owner]).await;
    assert_eq!(w.chain.token_balance(user.wsol).await, 4 * SOL + 4 * SOL / 4_000);
    assert_eq!(w.pool().await.locked_lamports, 0);
}
