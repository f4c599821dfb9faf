//! close_sub_account.
use super::*;

#[tokio::test]
async fn close_sub_account_returns_both_rents_to_the_owner() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 10 * SOL, 5 * SOL).await;
    let k = key(&user);
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, u64::MAX), &k).await;
    ok(&mut mw, m.withdraw_collateral(k.pubkey(), s, user.lrt, 10 * SOL), &k).await;
    let before = lamports(&mut mw, k.pubkey()).await;
    let rents = lamports(&mut mw, s.sub).await + lamports(&mut mw, s.vault).await;
    ok(&mut mw, m.close_sub_account(k.pubkey(), s, user.lrt), &k).await;
    assert_eq!(lamports(&mut mw, k.pubkey()).await, before + rents);
    assert!(mw.w.chain.account(s.sub).await.is_none() && mw.w.chain.account(s.vault).await.is_none());
    // The index may be opened again.
    ok(&mut mw, m.create_sub_account(k.pubkey(), 0), &k).await;
}

#[tokio::test]
async fn close_sub_account_rejects_collateral_and_debt_but_sweeps_stray_tokens() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 10 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, s.vault, k.pubkey(), user.lrt];
    rejects(&mut mw, m.close_sub_account(k.pubkey(), s, user.lrt), &k, MarginError::SubAccountNotEmpty, &watch).await;

    // LRT sent straight to the vault is not collateral: it cannot block the close and goes back out.
    ok(&mut mw, m.withdraw_collateral(k.pubkey(), s, user.lrt, 10 * SOL), &k).await;
    let griefer = mw.w.user(2 * SOL).await;
    mw.w.deposit(&griefer, SOL).await;
    let g = key(&griefer);
    let donate = spl_token::instruction::transfer(&spl_token::ID, &griefer.lrt, &s.vault, &g.pubkey(), &[], 1).unwrap();
    ok(&mut mw, donate, &g).await;
    assert_eq!(mw.sub_account(s).await.collateral, 0);
    let lrt_before = mw.w.chain.token_balance(user.lrt).await;
    ok(&mut mw, m.close_sub_account(k.pubkey(), s, user.lrt), &k).await;
    assert_eq!(mw.w.chain.token_balance(user.lrt).await, lrt_before + 1);

    // Debt with collateral under water, not yet settled.
    let (debtor, t) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    set_fair_rate(&mut mw, WAD / 2).await;
    let d = key(&debtor);
    let ix = m.close_sub_account(d.pubkey(), t, debtor.lrt);
    rejects(&mut mw, ix, &d, MarginError::SubAccountNotEmpty, &[t.sub, t.vault, d.pubkey()]).await;
}

#[tokio::test]
async fn close_sub_account_rejects_another_owner() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let (user, s) = mw.trader(0).await;
    let thief = mw.w.chain.keypair().await;
    let ix = m.close_sub_account(thief.pubkey(), s, user.lrt);
    rejects(&mut mw, ix, &thief, ErrorCode::ConstraintHasOne, &[s.sub, s.vault, user.key.pubkey(), thief.pubkey()])
        .await;
}
