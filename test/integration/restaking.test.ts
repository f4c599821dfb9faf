// The restaking program through the sdk against the local chain: every instruction, and its rejections
// arriving as the program's named errors. Each test works in an isolated world (its own LRT, committee
// and stake pool) with fresh users.
import { beforeAll, describe, expect, it } from "vitest";
import { getMint } from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import {
  DEFAULT_SANITY_LIMITS,
  instantUnstake as instantUnstakeQuote,
  type LanternClient,
  lrtForDeposit,
  oracleInstructions as oracle,
  restakingInstructions as restaking,
  stakePoolAddress,
  ticketAddress,
  ticketPayout,
} from "@lantern/sdk";
import { expectProgramError, funded, lanternClient, mint, SOL, user, WAD, world, type World } from "./world.js";

const RATE = (WAD * 102n) / 100n;

let client: LanternClient;
let w: World;

beforeAll(async () => {
  client = lanternClient();
  w = await world(client, { initialRate: RATE });
});

/** A user holding `lrt` freshly minted LRT (and `spare` SOL of wSOL left). */
async function holder(depositSol: bigint, spare = 5n * SOL) {
  const u = await user(client, depositSol * SOL + spare, w.lrtMint);
  await client.send(
    [
      await restaking.deposit({
        depositor: u.key.publicKey,
        lrtMint: w.lrtMint,
        source: u.wsol,
        destination: u.lrt,
        lamports: depositSol * SOL,
        minLrtOut: 0n,
      }),
    ],
    [u.key],
  );
  return u;
}

describe("restaking: the pool", () => {
  it("initialize_stake_pool takes over the LRT's minting; InvalidFee, InvalidMint; update_stake_pool is the admin's", async () => {
    const pool = await client.stakePool(w.lrtMint);
    expect(pool.stakeManager.equals(w.stakeManager.publicKey)).toBe(true);
    expect(pool.admin.equals(w.admin.publicKey)).toBe(true);
    expect(pool.instantUnstakeFeeBps).toBe(30);
    const lrtMint = await getMint(client.connection, w.lrtMint);
    expect(lrtMint.mintAuthority?.equals(stakePoolAddress(w.lrtMint))).toBe(true);

    // A second LRT: its committee first (the mint's authority creates it), then its pool.
    const admin = await funded(client, 10n);
    const lrt = await mint(client, admin, admin.publicKey);
    const now = (await client.clock()).unixTimestamp;
    await client.send(
      [
        await oracle.initializeCommittee({
          admin: admin.publicKey,
          mintAuthority: admin.publicKey,
          lrtMint: lrt,
          guardian: Keypair.generate().publicKey,
          genesisTs: now,
          frameSecs: 86_400,
          fastLaneSecs: 0,
          consensusVersion: 1n,
          initialRate: WAD,
          limits: DEFAULT_SANITY_LIMITS,
        }),
      ],
      [admin],
    );
    const init = (mintAuthority: Keypair, instantUnstakeFeeBps: number) =>
      restaking.initializeStakePool({
        admin: admin.publicKey,
        mintAuthority: mintAuthority.publicKey,
        lrtMint: lrt,
        stakeManager: admin.publicKey,
        instantUnstakeFeeBps,
      });
    await expectProgramError(client.send([await init(admin, 1_001)], [admin]), "restaking", "InvalidFee");
    const stranger = Keypair.generate();
    await expectProgramError(client.send([await init(stranger, 30)], [admin, stranger]), "restaking", "InvalidMint");
    await client.send([await init(admin, 30)], [admin]);
    expect((await client.stakePool(lrt)).instantUnstakeFeeBps).toBe(30);

    const update = (signer: Keypair, fee: number) =>
      restaking.updateStakePool({
        admin: signer.publicKey,
        lrtMint: w.lrtMint,
        stakeManager: w.stakeManager.publicKey,
        instantUnstakeFeeBps: fee,
      });
    const outsider = await funded(client, 1n);
    await expectProgramError(client.send([await update(outsider, 50)], [outsider]), "restaking", "NotAdmin");
    await expectProgramError(client.send([await update(w.admin, 1_001)], [w.admin]), "restaking", "InvalidFee");
    await client.send([await update(w.admin, 50)], [w.admin]);
    expect((await client.stakePool(w.lrtMint)).instantUnstakeFeeBps).toBe(50);
    await client.send([await update(w.admin, 30)], [w.admin]);
  });

  it("deposit mints floor(lamports / fair rate); SlippageExceeded, ZeroAmount, and SPL Token's InsufficientFunds", async () => {
    const u = await user(client, 20n * SOL, w.lrtMint);
    const lamports = 10n * SOL + 7n;
    const expected = lrtForDeposit(lamports, RATE);
    const ix = (minLrtOut: bigint, amount = lamports) =>
      restaking.deposit({
        depositor: u.key.publicKey,
        lrtMint: w.lrtMint,
        source: u.wsol,
        destination: u.lrt,
        lamports: amount,
        minLrtOut,
      });
    await expectProgramError(client.send([await ix(expected + 1n)], [u.key]), "restaking", "SlippageExceeded");
    await expectProgramError(client.send([await ix(0n, 0n)], [u.key]), "restaking", "ZeroAmount");
    const tooMuch = await expectProgramError(
      client.send([await ix(0n, 50n * SOL)], [u.key]),
      "token",
      "InsufficientFunds",
    );
    expect(tooMuch.instructionIndex).toBe(0);
    const reserveBefore = (await client.stakePool(w.lrtMint)).reserveLamports;
    await client.send([await ix(expected)], [u.key]);
    expect(await client.tokenBalance(u.lrt)).toBe(expected);
    expect(await client.tokenBalance(u.wsol)).toBe(20n * SOL - lamports);
    expect((await client.stakePool(w.lrtMint)).reserveLamports).toBe(reserveBefore + lamports);
  });
});

describe("restaking: withdrawals", () => {
  it("request_withdrawal → finalize_withdrawals → claim pays min(rate at request, rate now); TicketNotFinalized, ConstraintHasOne, NothingToFinalize", async () => {
    const u = await holder(10n);
    const lrt = await client.tokenBalance(u.lrt);
    const ticketId = (await client.stakePool(w.lrtMint)).nextTicket;
    await client.send(
      [
        await restaking.requestWithdrawal({
          owner: u.key.publicKey,
          lrtMint: w.lrtMint,
          source: u.lrt,
          ticketId,
          lrt: lrt / 2n,
        }),
      ],
      [u.key],
    );
    const ticket = await client.ticket(w.lrtMint, ticketId);
    expect(ticket).toMatchObject({ id: ticketId, lrt: lrt / 2n, rateAtRequest: RATE, finalized: false });
    expect(ticket!.owner.equals(u.key.publicKey)).toBe(true);
    expect(await client.tokenBalance(u.lrt)).toBe(lrt - lrt / 2n);

    const claim = (owner: Keypair) =>
      restaking.claim({ owner: owner.publicKey, lrtMint: w.lrtMint, ticketId, destination: u.wsol });
    await expectProgramError(client.send([await claim(u.key)], [u.key]), "restaking", "TicketNotFinalized");

    const pool = await client.stakePool(w.lrtMint);
    await client.send(
      [await restaking.finalizeWithdrawals({ lrtMint: w.lrtMint, firstTicket: pool.nextToFinalize, upTo: ticketId })],
      [u.key],
    );
    const finalized = await client.ticket(w.lrtMint, ticketId);
    const owed = ticketPayout(lrt / 2n, RATE, RATE);
    expect(finalized).toMatchObject({ finalized: true, lamportsOwed: owed });
    await expectProgramError(
      client.send(
        [await restaking.finalizeWithdrawals({ lrtMint: w.lrtMint, firstTicket: ticketId, upTo: ticketId })],
        [u.key],
      ),
      "restaking",
      "NothingToFinalize",
    );

    const thief = await funded(client, 1n);
    const stolen = await expectProgramError(
      client.send([await claim(thief)], [thief]),
      "restaking",
      "ConstraintHasOne",
    );
    expect(stolen.code).toBe(2001);
    const wsolBefore = await client.tokenBalance(u.wsol);
    await client.send([await claim(u.key)], [u.key]);
    expect(await client.tokenBalance(u.wsol)).toBe(wsolBefore + owed);
    expect(await client.ticket(w.lrtMint, ticketId)).toBeNull();
    expect(await client.connection.getAccountInfo(ticketAddress(stakePoolAddress(w.lrtMint), ticketId))).toBeNull();
  });

  it("instant_unstake pays the fair value minus the fee from the liquid reserve; delegate/undelegate move SOL for the stake manager only", async () => {
    const u = await holder(8n);
    const lrt = await client.tokenBalance(u.lrt);
    const quote = instantUnstakeQuote(lrt / 4n, RATE, 30);
    const unstake = (amount: bigint, minSolOut: bigint) =>
      restaking.instantUnstake({
        owner: u.key.publicKey,
        lrtMint: w.lrtMint,
        source: u.lrt,
        destination: u.wsol,
        lrt: amount,
        minSolOut,
      });
    await expectProgramError(
      client.send([await unstake(lrt / 4n, quote.out + 1n)], [u.key]),
      "restaking",
      "SlippageExceeded",
    );
    const before = await client.tokenBalance(u.wsol);
    await client.send([await unstake(lrt / 4n, quote.out)], [u.key]);
    expect(await client.tokenBalance(u.wsol)).toBe(before + quote.out);
    expect(await client.tokenBalance(u.lrt)).toBe(lrt - lrt / 4n);

    // The stake manager stakes the whole liquid reserve: nothing is left for instant exits.
    const pool = await client.stakePool(w.lrtMint);
    const liquid = pool.reserveLamports - pool.lockedLamports;
    const outsider = await funded(client, 1n);
    await expectProgramError(
      client.send(
        [
          await restaking.delegate({
            stakeManager: outsider.publicKey,
            lrtMint: w.lrtMint,
            destination: w.stakeManagerWsol,
            lamports: SOL,
          }),
        ],
        [outsider],
      ),
      "restaking",
      "ConstraintHasOne",
    );
    await client.send(
      [
        await restaking.delegate({
          stakeManager: w.stakeManager.publicKey,
          lrtMint: w.lrtMint,
          destination: w.stakeManagerWsol,
          lamports: liquid,
        }),
      ],
      [w.admin, w.stakeManager],
    );
    const staked = await client.stakePool(w.lrtMint);
    expect(staked.stakedLamports).toBe(pool.stakedLamports + liquid);
    expect(staked.reserveLamports - staked.lockedLamports).toBe(0n);
    await expectProgramError(client.send([await unstake(lrt / 4n, 0n)], [u.key]), "restaking", "InsufficientLiquidity");

    await client.send(
      [
        await restaking.undelegate({
          stakeManager: w.stakeManager.publicKey,
          lrtMint: w.lrtMint,
          source: w.stakeManagerWsol,
          lamports: liquid,
        }),
      ],
      [w.admin, w.stakeManager],
    );
    expect((await client.stakePool(w.lrtMint)).stakedLamports).toBe(pool.stakedLamports);
    await client.send([await unstake(lrt / 4n, 0n)], [u.key]);
  });

  it("bunker mode (the guardian's switch) blocks finalization until a clean report turns it off", async () => {
    const b = await world(client, { initialRate: WAD });
    const u = await user(client, 10n * SOL, b.lrtMint);
    await client.send(
      [
        await restaking.deposit({
          depositor: u.key.publicKey,
          lrtMint: b.lrtMint,
          source: u.wsol,
          destination: u.lrt,
          lamports: 4n * SOL,
          minLrtOut: 0n,
        }),
      ],
      [u.key],
    );
    await client.send(
      [
        await restaking.requestWithdrawal({
          owner: u.key.publicKey,
          lrtMint: b.lrtMint,
          source: u.lrt,
          ticketId: 0n,
          lrt: SOL,
        }),
      ],
      [u.key],
    );

    const notGuardian = await funded(client, 1n);
    await expectProgramError(
      client.send([await oracle.enableBunker({ guardian: notGuardian.publicKey, lrtMint: b.lrtMint })], [notGuardian]),
      "oracle",
      "NotGuardian",
    );
    await client.send(
      [await oracle.enableBunker({ guardian: b.guardian.publicKey, lrtMint: b.lrtMint })],
      [b.admin, b.guardian],
    );
    expect((await client.feed(b.lrtMint)).bunker).toBe(true);
    const finalize = () => restaking.finalizeWithdrawals({ lrtMint: b.lrtMint, firstTicket: 0n, upTo: 0n });
    await expectProgramError(client.send([await finalize()], [u.key]), "restaking", "BunkerMode");

    // A clean report (no decrease, no flag) in the committee's current frame ends bunker mode.
    const report = oracle.accountingReport({
      lrtMint: b.lrtMint,
      frame: 1n,
      rate: WAD,
      stakedLamports: 0n,
      consensusVersion: b.consensusVersion,
    });
    for (const m of b.members.slice(0, b.quorum)) {
      await client.send(
        [await oracle.voteForReport({ signer: m.signer.publicKey, lrtMint: b.lrtMint, report })],
        [b.admin, m.signer],
      );
    }
    await client.send(
      [await oracle.submitReportData({ signer: b.members[0]!.signer.publicKey, lrtMint: b.lrtMint, report })],
      [b.admin, b.members[0]!.signer],
    );
    expect((await client.feed(b.lrtMint)).bunker).toBe(false);
    await client.send([await finalize()], [u.key]);
    expect((await client.ticket(b.lrtMint, 0n))?.finalized).toBe(true);
  });
});
