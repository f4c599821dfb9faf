// Everything that moves the chain's clock or reports on a committee with daily frames lives in this one
// file, whose tests run in order: the oracle's instructions on an isolated 5-member committee, feed
// staleness, then the full flow on the demo world (deposit → leverage_up → the committee reports a
// slashing → liquidation → bad debt settlement → a clean report ends bunker mode). The clock only moves
// forward and frames are shared, so nothing else may report on these committees or warp.
import { beforeAll, describe, expect, it } from "vitest";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  medianRound,
  debtAmount,
  DEFAULT_SANITY_LIMITS,
  feedAddress,
  frameAt,
  frameRefTs,
  type LanternClient,
  marginInstructions as margin,
  marketPriceAt,
  median,
  oracleInstructions as oracle,
  restakingInstructions as restaking,
  RESTAKING_PROGRAM_ID,
  sortPrices,
  submitReportHash,
  subAccountAddresses,
  type AccountingReport,
} from "@lantern/sdk";
import {
  demo,
  expectProgramError,
  funded,
  keypairAt,
  lanternClient,
  type Member,
  mint,
  priceRound,
  SOL,
  U64_MAX,
  user,
  WAD,
  warpTime,
  world,
  type World,
} from "./world.js";

let client: LanternClient;

beforeAll(() => {
  client = lanternClient();
});

/** Moves the clock to one hour into the next frame of `lrtMint`'s committee; returns that frame. */
async function enterNextFrame(lrtMint: PublicKey): Promise<bigint> {
  const committee = await client.committee(lrtMint);
  const now = (await client.clock()).unixTimestamp;
  const frame = frameAt(committee.frames, now)! + 1n;
  await warpTime(frameRefTs(committee.frames, frame) + 3_600n - now);
  expect(frameAt(committee.frames, (await client.clock()).unixTimestamp)).toBe(frame);
  return frame;
}

async function currentFrame(lrtMint: PublicKey): Promise<bigint> {
  const committee = await client.committee(lrtMint);
  return frameAt(committee.frames, (await client.clock()).unixTimestamp)!;
}

/** `members` vote for `report`, each in its own transaction (`payer` pays). */
async function vote(lrtMint: PublicKey, members: Member[], report: AccountingReport, payer: Keypair) {
  for (const m of members)
    await client.send([await oracle.voteForReport({ signer: m.signer.publicKey, lrtMint, report })], [payer, m.signer]);
}

function submitData(lrtMint: PublicKey, member: Member, report: AccountingReport, payer: Keypair) {
  return oracle
    .submitReportData({ signer: member.signer.publicKey, lrtMint, report })
    .then((ix) => client.send([ix], [payer, member.signer]));
}

describe("oracle: an isolated 5-member committee with daily frames", () => {
  let c: World;

  beforeAll(async () => {
    c = await world(client, { members: 5, quorum: 3, frameSecs: 86_400, limits: { maxPriceAgeSecs: 60 } });
  });

  const report = (frame: bigint, rate: bigint, extra: Partial<AccountingReport> = {}) => ({
    ...oracle.accountingReport({
      lrtMint: c.lrtMint,
      frame,
      rate,
      stakedLamports: 0n,
      consensusVersion: c.consensusVersion,
    }),
    ...extra,
  });

  it("initialize_committee and add_member: NotMintAuthority, NotAdmin, DuplicateMember, QuorumTooLow", async () => {
    const committee = await client.committee(c.lrtMint);
    expect(committee).toMatchObject({
      memberCount: 5,
      quorum: 3,
      paused: false,
      consensusDisabled: false,
      consensusVersion: 1n,
      lastProcessedFrame: 0n,
    });
    expect(committee.frames).toEqual({ anchorTs: c.genesisTs, anchorFrame: 1n, frameSecs: 86_400, fastLaneSecs: 0 });
    expect(committee.admin.equals(c.admin.publicKey) && committee.guardian.equals(c.guardian.publicKey)).toBe(true);
    expect(committee.feed.equals(feedAddress(c.lrtMint))).toBe(true);
    expect(committee.members.slice(0, 5).map((m) => m.signer.toBase58())).toEqual(
      c.members.map((m) => m.signer.publicKey.toBase58()),
    );
    expect((await client.feed(c.lrtMint)).fairRate).toBe(WAD);

    const squatter = await funded(client, 2n);
    const other = await mint(client, squatter, Keypair.generate().publicKey);
    await expectProgramError(
      client.send(
        [
          await oracle.initializeCommittee({
            admin: squatter.publicKey,
            mintAuthority: squatter.publicKey,
            lrtMint: other,
            guardian: squatter.publicKey,
            genesisTs: 0,
            frameSecs: 86_400,
            fastLaneSecs: 0,
            consensusVersion: 1n,
            initialRate: WAD,
            limits: DEFAULT_SANITY_LIMITS,
          }),
        ],
        [squatter],
      ),
      "oracle",
      "NotMintAuthority",
    );
    const add = (admin: Keypair, signer: PublicKey, quorum: number) =>
      oracle.addMember({
        admin: admin.publicKey,
        lrtMint: c.lrtMint,
        authority: Keypair.generate().publicKey,
        signer,
        quorum,
      });
    await expectProgramError(
      client.send([await add(squatter, Keypair.generate().publicKey, 3)], [squatter]),
      "oracle",
      "NotAdmin",
    );
    await expectProgramError(
      client.send([await add(c.admin, c.members[0]!.signer.publicKey, 4)], [c.admin]),
      "oracle",
      "DuplicateMember",
    );
    await expectProgramError(
      client.send([await add(c.admin, Keypair.generate().publicKey, 3)], [c.admin]),
      "oracle",
      "QuorumTooLow",
    );
  });

  it("hash consensus: NotMember, WrongFrame, DuplicateHash, NoConsensus, HashMismatch, WrongProgram, WrongFeed; data applies once a hash holds quorum, then the frame is frozen", async () => {
    const frame = await currentFrame(c.lrtMint);
    const r = report(frame, WAD);
    const outsider = Keypair.generate();
    await expectProgramError(
      client.send(
        [await oracle.voteForReport({ signer: outsider.publicKey, lrtMint: c.lrtMint, report: r })],
        [c.admin, outsider],
      ),
      "oracle",
      "NotMember",
    );
    const [m0, m1, m2, m3, m4] = c.members as [Member, Member, Member, Member, Member];
    await expectProgramError(vote(c.lrtMint, [m0], report(frame + 1n, WAD), c.admin), "oracle", "WrongFrame");
    await vote(c.lrtMint, [m0], r, c.admin);
    await expectProgramError(vote(c.lrtMint, [m0], r, c.admin), "oracle", "DuplicateHash");
    await expectProgramError(submitData(c.lrtMint, m0, r, c.admin), "oracle", "NoConsensus");
    await vote(c.lrtMint, [m1, m2], r, c.admin);
    const committee = await client.committee(c.lrtMint);
    expect(committee.consensusFrame).toBe(frame);
    expect(Buffer.from(committee.consensusHash).equals(Buffer.from(submitReportHash(r)))).toBe(true);

    await expectProgramError(submitData(c.lrtMint, m0, report(frame, WAD + 1n), c.admin), "oracle", "HashMismatch");
    await expectProgramError(
      submitData(c.lrtMint, m0, report(frame, WAD, { programId: RESTAKING_PROGRAM_ID }), c.admin),
      "oracle",
      "WrongProgram",
    );
    // The demo's feed is a real feed of this program: named in the report, it is someone else's.
    await expectProgramError(
      submitData(c.lrtMint, m0, report(frame, WAD, { feed: new PublicKey(demo().feed) }), c.admin),
      "oracle",
      "WrongFeed",
    );
    // Any member may submit the data, also one that did not vote.
    await submitData(c.lrtMint, m3, r, c.admin);
    const feed = await client.feed(c.lrtMint);
    expect(feed).toMatchObject({ lastReportFrame: frame, fairRate: WAD, reportedRate: WAD, bunker: false });
    expect((await client.committee(c.lrtMint)).lastProcessedFrame).toBe(frame);

    // Processing froze the frame: a late vote is ignored, a changed vote refused, the data final.
    await vote(c.lrtMint, [m4], r, c.admin);
    await expectProgramError(
      vote(c.lrtMint, [m0], report(frame, WAD + 5n), c.admin),
      "oracle",
      "ReportAlreadyProcessing",
    );
    await expectProgramError(submitData(c.lrtMint, m0, r, c.admin), "oracle", "FrameAlreadyProcessed");
  });

  it("sanity limits: a rise above 15%/yr is rejected; a drop beyond the budget is held until the guardian confirms it", async () => {
    const frame = await enterNextFrame(c.lrtMint);
    const quorum = c.members.slice(0, 3);
    const m0 = c.members[0]!;
    // +1% in one day is ~365%/yr.
    const up = report(frame, (WAD * 101n) / 100n);
    await vote(c.lrtMint, quorum, up, c.admin);
    await expectProgramError(submitData(c.lrtMint, m0, up, c.admin), "oracle", "AnnualIncreaseLimitExceeded");
    const tooLow = report(frame, WAD / 20n);
    await vote(c.lrtMint, quorum, tooLow, c.admin);
    await expectProgramError(submitData(c.lrtMint, m0, tooLow, c.admin), "oracle", "RateOutOfBounds");

    // The members change their votes (allowed until processing starts) to a 5% drop: held, bunker on.
    const down = report(frame, (WAD * 95n) / 100n);
    await vote(c.lrtMint, quorum, down, c.admin);
    await submitData(c.lrtMint, m0, down, c.admin);
    const held = await client.feed(c.lrtMint);
    expect(held.held).toMatchObject({ frame, rate: down.rate, decreasePpb: 50_000_000n });
    expect(held).toMatchObject({ fairRate: WAD, bunker: true });

    const confirm = (guardian: Keypair, f: bigint) =>
      oracle.confirmHeldDecrease({ guardian: guardian.publicKey, lrtMint: c.lrtMint, frame: f });
    await expectProgramError(client.send([await confirm(c.admin, frame)], [c.admin]), "oracle", "NotGuardian");
    await expectProgramError(
      client.send([await confirm(c.guardian, frame + 1n)], [c.admin, c.guardian]),
      "oracle",
      "HeldFrameMismatch",
    );
    await client.send([await confirm(c.guardian, frame)], [c.admin, c.guardian]);
    const confirmed = await client.feed(c.lrtMint);
    expect(confirmed).toMatchObject({
      fairRate: down.rate,
      reportedRate: down.rate,
      lastReportFrame: frame,
      bunker: true,
    });
    expect(confirmed.held.frame).toBe(0n);
    await expectProgramError(
      client.send([await confirm(c.guardian, frame)], [c.admin, c.guardian]),
      "oracle",
      "NoHeldReport",
    );
  });

  it("market price rounds: the median of fresh observations, its lower median and median absolute deviation; InvalidPrice, PriceFromFuture, PriceNotNewer; below quorum, no price", async () => {
    const now = (await client.clock()).unixTimestamp;
    const observed = [100n, 101n, 99n, 102n, 98n].map((p) => (WAD * p) / 100n);
    const submit = (i: number, price: bigint, observedTs: bigint) =>
      oracle.submitPrice({ signer: c.members[i]!.signer.publicKey, lrtMint: c.lrtMint, price, observedTs });
    await client.send(await Promise.all(observed.map((p, i) => submit(i, p, now))), [
      c.admin,
      ...c.members.map((m) => m.signer),
    ]);
    const feed = await client.feed(c.lrtMint);
    const sorted = sortPrices(observed);
    const round = medianRound(sorted);
    expect(feed.marketPrice).toBe(median(sorted));
    expect([feed.marketPrice, feed.marketLow, feed.marketConfidence]).toEqual([
      round.price,
      round.low,
      round.confidence,
    ]);
    // Deviations from 1.00 of 0.98..1.02: 0, 0.01, 0.01, 0.02, 0.02 → the band is 1%, within the 2% limit.
    expect(feed.marketConfidence).toBe(WAD / 100n);
    expect(marketPriceAt(feed, now)).toBeDefined();

    await expectProgramError(
      client.send([await submit(0, 0n, now + 1n)], [c.admin, c.members[0]!.signer]),
      "oracle",
      "InvalidPrice",
    );
    await expectProgramError(
      client.send([await submit(0, WAD, now + 10_000n)], [c.admin, c.members[0]!.signer]),
      "oracle",
      "PriceFromFuture",
    );
    await expectProgramError(
      client.send([await submit(0, WAD, now)], [c.admin, c.members[0]!.signer]),
      "oracle",
      "PriceNotNewer",
    );

    // Two minutes later the observations are stale; two fresh ones are below the quorum of 3.
    await warpTime(120);
    const later = (await client.clock()).unixTimestamp;
    await client.send(
      [await submit(0, WAD, later), await submit(1, WAD, later)],
      [c.admin, c.members[0]!.signer, c.members[1]!.signer],
    );
    expect(marketPriceAt(await client.feed(c.lrtMint), later)).toBeUndefined();
    await client.send([await submit(2, WAD, later)], [c.admin, c.members[2]!.signer]);
    expect(marketPriceAt(await client.feed(c.lrtMint), later)?.price).toBe(WAD);
  });

  it("membership: rotate_signer refuses the old key at once; remove_member, set_quorum, set_roles; NotMemberAuthority, MemberNotFound, QuorumTooLow, NotAdmin", async () => {
    const seat = c.members[4]!;
    const fresh = Keypair.generate();
    const outsider = Keypair.generate();
    await expectProgramError(
      client.send(
        [await oracle.rotateSigner({ authority: outsider.publicKey, lrtMint: c.lrtMint, newSigner: fresh.publicKey })],
        [c.admin, outsider],
      ),
      "oracle",
      "NotMemberAuthority",
    );
    await client.send(
      [
        await oracle.rotateSigner({
          authority: seat.authority.publicKey,
          lrtMint: c.lrtMint,
          newSigner: fresh.publicKey,
        }),
      ],
      [c.admin, seat.authority],
    );
    // The seat keeps its last observation time (from before the 2-minute warp): now is newer.
    const now = (await client.clock()).unixTimestamp;
    await expectProgramError(
      client.send(
        [await oracle.submitPrice({ signer: seat.signer.publicKey, lrtMint: c.lrtMint, price: WAD, observedTs: now })],
        [c.admin, seat.signer],
      ),
      "oracle",
      "NotMember",
    );
    await client.send(
      [await oracle.submitPrice({ signer: fresh.publicKey, lrtMint: c.lrtMint, price: WAD, observedTs: now })],
      [c.admin, fresh],
    );
    seat.signer = fresh;

    const setQuorum = (admin: Keypair, quorum: number) =>
      oracle.setQuorum({ admin: admin.publicKey, lrtMint: c.lrtMint, quorum });
    await expectProgramError(client.send([await setQuorum(c.admin, 2)], [c.admin]), "oracle", "QuorumTooLow");
    await client.send([await setQuorum(c.admin, 4)], [c.admin]);
    expect((await client.committee(c.lrtMint)).quorum).toBe(4);

    const remove = () =>
      oracle.removeMember({
        admin: c.admin.publicKey,
        lrtMint: c.lrtMint,
        authority: seat.authority.publicKey,
        quorum: 3,
      });
    await client.send([await remove()], [c.admin]);
    expect(await client.committee(c.lrtMint)).toMatchObject({ memberCount: 4, quorum: 3 });
    await expectProgramError(client.send([await remove()], [c.admin]), "oracle", "MemberNotFound");
    await client.send(
      [
        await oracle.addMember({
          admin: c.admin.publicKey,
          lrtMint: c.lrtMint,
          authority: seat.authority.publicKey,
          signer: fresh.publicKey,
          quorum: 3,
        }),
      ],
      [c.admin],
    );
    expect((await client.committee(c.lrtMint)).memberCount).toBe(5);

    const newAdmin = await funded(client, 1n);
    const newGuardian = Keypair.generate();
    await client.send(
      [
        await oracle.setRoles({
          admin: c.admin.publicKey,
          lrtMint: c.lrtMint,
          newAdmin: newAdmin.publicKey,
          guardian: newGuardian.publicKey,
        }),
      ],
      [c.admin],
    );
    const handed = await client.committee(c.lrtMint);
    expect(handed.admin.equals(newAdmin.publicKey) && handed.guardian.equals(newGuardian.publicKey)).toBe(true);
    await expectProgramError(client.send([await setQuorum(c.admin, 3)], [c.admin]), "oracle", "NotAdmin");
    await client.send(
      [
        await oracle.setRoles({
          admin: newAdmin.publicKey,
          lrtMint: c.lrtMint,
          newAdmin: c.admin.publicKey,
          guardian: c.guardian.publicKey,
        }),
      ],
      [newAdmin],
    );
    expect((await client.committee(c.lrtMint)).admin.equals(c.admin.publicKey)).toBe(true);
  });

  it("switches: set_paused, set_consensus_disabled, set_consensus_version, update_frame_config, update_limits, enable_bunker; the has_one check on a foreign feed", async () => {
    const frame = await enterNextFrame(c.lrtMint);
    const m0 = c.members[0]!;
    const r = report(frame, (WAD * 95n) / 100n);
    const guardianPays = [c.admin, c.guardian];

    await client.send(
      [await oracle.setPaused({ authority: c.guardian.publicKey, lrtMint: c.lrtMint, paused: true })],
      guardianPays,
    );
    await expectProgramError(vote(c.lrtMint, [m0], r, c.admin), "oracle", "Paused");
    await expectProgramError(
      client.send(
        [await oracle.setPaused({ authority: c.guardian.publicKey, lrtMint: c.lrtMint, paused: false })],
        guardianPays,
      ),
      "oracle",
      "NotAdmin",
    );
    await client.send(
      [await oracle.setPaused({ authority: c.admin.publicKey, lrtMint: c.lrtMint, paused: false })],
      [c.admin],
    );

    const outsider = Keypair.generate();
    await expectProgramError(
      client.send(
        [await oracle.setConsensusDisabled({ authority: outsider.publicKey, lrtMint: c.lrtMint, disabled: true })],
        [c.admin, outsider],
      ),
      "oracle",
      "NotAdminOrGuardian",
    );
    await client.send(
      [await oracle.setConsensusDisabled({ authority: c.guardian.publicKey, lrtMint: c.lrtMint, disabled: true })],
      guardianPays,
    );
    await expectProgramError(vote(c.lrtMint, [m0], r, c.admin), "oracle", "ConsensusDisabled");
    await client.send(
      [await oracle.setConsensusDisabled({ authority: c.admin.publicKey, lrtMint: c.lrtMint, disabled: false })],
      [c.admin],
    );

    const setVersion = (consensusVersion: bigint) =>
      oracle.setConsensusVersion({ admin: c.admin.publicKey, lrtMint: c.lrtMint, consensusVersion });
    await expectProgramError(client.send([await setVersion(1n)], [c.admin]), "oracle", "SameConsensusVersion");
    await client.send([await setVersion(2n)], [c.admin]);
    await expectProgramError(vote(c.lrtMint, [m0], r, c.admin), "oracle", "WrongConsensusVersion");
    await vote(c.lrtMint, [m0], { ...r, consensusVersion: 2n }, c.admin);
    await client.send([await setVersion(1n)], [c.admin]);

    const frames = (frameSecs: number, fastLaneSecs: number) =>
      oracle.updateFrameConfig({ admin: c.admin.publicKey, lrtMint: c.lrtMint, frameSecs, fastLaneSecs });
    await expectProgramError(client.send([await frames(3_600, 3_600)], [c.admin]), "oracle", "InvalidFrameConfig");
    await client.send([await frames(43_200, 600)], [c.admin]);
    const recut = (await client.committee(c.lrtMint)).frames;
    expect(recut).toMatchObject({ anchorFrame: frame, frameSecs: 43_200, fastLaneSecs: 600 });
    expect(recut.anchorTs).toBe(frameRefTs((await client.committee(c.lrtMint)).frames, frame));
    await client.send([await frames(86_400, 0)], [c.admin]);

    const limits = (await client.committee(c.lrtMint)).limits;
    const update = (l: typeof limits) =>
      oracle.updateLimits({ admin: c.admin.publicKey, lrtMint: c.lrtMint, limits: l });
    await expectProgramError(
      client.send([await update({ ...limits, annualIncreaseLimitBps: 0 })], [c.admin]),
      "oracle",
      "InvalidLimits",
    );
    // The band limit is a share of the price, 1..=10,000 bps: 0 would refuse every round, above 100% none.
    for (const maxConfidenceBps of [0, 10_001])
      await expectProgramError(
        client.send([await update({ ...limits, maxConfidenceBps })], [c.admin]),
        "oracle",
        "InvalidLimits",
      );
    await client.send([await update({ ...limits, maxDecreaseBps: 500, maxPriceAgeSecs: 90 })], [c.admin]);
    expect((await client.committee(c.lrtMint)).limits).toMatchObject({ maxDecreaseBps: 500, maxPriceAgeSecs: 90 });
    expect((await client.feed(c.lrtMint)).maxPriceAgeSecs).toBe(90);

    // The committee names its own feed (has_one): another committee's feed is refused.
    const foreign = await oracle.enableBunker({ guardian: c.guardian.publicKey, lrtMint: c.lrtMint });
    foreign.keys.find((k) => k.pubkey.equals(feedAddress(c.lrtMint)))!.pubkey = new PublicKey(demo().feed);
    const hasOne = await expectProgramError(client.send([foreign], guardianPays), "oracle", "ConstraintHasOne");
    expect(hasOne.code).toBe(2001);
    expect((await client.feed(c.lrtMint)).bunker).toBe(true); // still on since the held decrease
    await client.send(
      [await oracle.enableBunker({ guardian: c.guardian.publicKey, lrtMint: c.lrtMint })],
      guardianPays,
    );
    expect((await client.feed(c.lrtMint)).bunker).toBe(true);
  });

  it("a feed without an accepted report for 1.5 frames is stale: restaking and margin refuse risk (FeedStale); repay still works", async () => {
    const s = await world(client, { frameSecs: 86_400, limits: { maxReportAgeSecs: 129_600 }, market: {} });
    await priceRound(client, s, WAD);
    const u = await user(client, 20n * SOL, s.lrtMint);
    await client.send(
      [await margin.createSubAccount({ owner: u.key.publicKey, lrtMint: s.lrtMint, index: 1 })],
      [u.key],
    );
    await client.send(
      [
        await margin.leverageUp({
          owner: u.key.publicKey,
          lrtMint: s.lrtMint,
          index: 1,
          ownerWsol: u.wsol,
          equity: 5n * SOL,
          borrow: 20n * SOL,
          minLrtOut: 0n,
        }),
      ],
      [u.key],
    );
    await warpTime(2 * 86_400);
    await expectProgramError(
      client.send(
        [
          await restaking.deposit({
            depositor: u.key.publicKey,
            lrtMint: s.lrtMint,
            source: u.wsol,
            destination: u.lrt,
            lamports: SOL,
            minLrtOut: 0n,
          }),
        ],
        [u.key],
      ),
      "restaking",
      "FeedStale",
    );
    await expectProgramError(
      client.send(
        [
          await margin.borrow({
            owner: u.key.publicKey,
            lrtMint: s.lrtMint,
            index: 1,
            destination: u.wsol,
            amount: SOL,
          }),
        ],
        [u.key],
      ),
      "margin",
      "FeedStale",
    );
    await client.send(
      [
        await margin.repay({
          payer: u.key.publicKey,
          lrtMint: s.lrtMint,
          subAccount: { owner: u.key.publicKey, index: 1 },
          source: u.wsol,
          amount: 5n * SOL,
        }),
      ],
      [u.key],
    );
  });
});

describe("the full flow on the demo world: leverage → slashing → liquidation → bad debt", () => {
  const d = demo();
  const lrtMint = new PublicKey(d.lrtMint);
  const admin = keypairAt(d.admin.keypair);
  const guardian = keypairAt(d.guardian.keypair);
  const members: Member[] = d.members.map((m) => ({
    authority: keypairAt(m.authority.keypair),
    signer: keypairAt(m.signer.keypair),
  }));
  const demoWorld = { lrtMint, members, quorum: 5, admin };

  /** The committee's quorum reports `rate` in the next frame; a held decrease is confirmed by the guardian. */
  async function committeeReports(rate: bigint): Promise<{ frame: bigint; held: boolean }> {
    const frame = await enterNextFrame(lrtMint);
    const committee = await client.committee(lrtMint);
    const stakedLamports = (await client.stakePool(lrtMint)).stakedLamports;
    const r = oracle.accountingReport({
      lrtMint,
      frame,
      rate,
      stakedLamports,
      consensusVersion: committee.consensusVersion,
    });
    await vote(lrtMint, members.slice(0, committee.quorum), r, admin);
    await submitData(lrtMint, members[0]!, r, admin);
    const held = (await client.feed(lrtMint)).held.frame === frame;
    if (held)
      await client.send(
        [await oracle.confirmHeldDecrease({ guardian: guardian.publicKey, lrtMint, frame })],
        [admin, guardian],
      );
    return { frame, held };
  }

  it("a 15% slashing makes a 9x position insolvent: liquidated whole, the remaining debt settled by insurance then lenders", async () => {
    // The earlier warps left the demo feed stale: the committee reports the unchanged rate first.
    const rate = (await client.feed(lrtMint)).fairRate;
    expect((await committeeReports(rate)).held).toBe(false);
    expect((await client.feed(lrtMint)).bunker).toBe(false);

    // deposit: SOL → LRT, as collateral of a fresh sub-account; then leverage_up to ~9x.
    const index = 4;
    const trader = await user(client, 20n * SOL, lrtMint);
    await client.send(
      [
        await restaking.deposit({
          depositor: trader.key.publicKey,
          lrtMint,
          source: trader.wsol,
          destination: trader.lrt,
          lamports: 2n * SOL,
          minLrtOut: 0n,
        }),
      ],
      [trader.key],
    );
    const lrt = await client.tokenBalance(trader.lrt);
    await client.send(
      [
        await margin.createSubAccount({ owner: trader.key.publicKey, lrtMint, index }),
        await margin.depositCollateral({
          depositor: trader.key.publicKey,
          lrtMint,
          subAccount: { owner: trader.key.publicKey, index },
          source: trader.lrt,
          amount: lrt,
        }),
      ],
      [trader.key],
    );
    await priceRound(client, demoWorld, rate);
    await client.send(
      [
        await margin.leverageUp({
          owner: trader.key.publicKey,
          lrtMint,
          index,
          ownerWsol: trader.wsol,
          equity: 8n * SOL,
          borrow: 80n * SOL,
          minLrtOut: 0n,
        }),
      ],
      [trader.key],
    );
    const levered = (await client.subAccount(lrtMint, trader.key.publicKey, index))!;
    expect(levered.collateral).toBe(lrt + (88n * SOL * WAD) / rate);

    // The committee reports a 15% slashing: beyond the 1% decrease budget, held for the guardian, who confirms.
    const slashed = (rate * 85n) / 100n;
    const { frame, held } = await committeeReports(slashed);
    expect(held).toBe(true);
    const feed = await client.feed(lrtMint);
    expect(feed).toMatchObject({ fairRate: slashed, lastReportFrame: frame, bunker: true });

    // Liquidation: underwater, so all collateral goes, at no bonus; the repayment is what it is worth, and
    // the debt left (insolvent: no collateral) is written off in the same instruction.
    const liquidator = await user(client, 100n * SOL, lrtMint);
    const sub = subAccountAddresses(lrtMint, trader.key.publicKey, index);
    const wsolBefore = await client.tokenBalance(liquidator.wsol);
    const before = await client.lendingPool();
    await client.send(
      [
        await margin.liquidate({
          liquidator: liquidator.key.publicKey,
          lrtMint,
          subAccount: sub.subAccount,
          liquidatorWsol: liquidator.wsol,
          liquidatorLrt: liquidator.lrt,
          maxRepay: U64_MAX,
          minCollateralOut: levered.collateral,
        }),
      ],
      [liquidator.key],
    );
    const liquidated = (await client.subAccount(lrtMint, trader.key.publicKey, index))!;
    expect(liquidated.collateral).toBe(0n);
    expect(liquidated.debtShares).toBe(0n);
    expect(await client.tokenBalance(liquidator.lrt)).toBe(levered.collateral);
    const repaid = wsolBefore - (await client.tokenBalance(liquidator.wsol));
    expect(repaid).toBeLessThanOrEqual((levered.collateral * slashed) / WAD + 1n);
    expect(repaid).toBeGreaterThan((levered.collateral * slashed) / WAD - 1_000n);

    // Bad debt: insurance first, then the lenders through the supply index.
    const badDebt = debtAmount(levered.debtShares, before.borrowIndex) - repaid;
    expect(badDebt).toBeGreaterThan(2n * SOL);
    const after = await client.lendingPool();
    const covered = before.insurance - after.insurance;
    expect(covered).toBeGreaterThanOrEqual(0n);
    expect(after.supplyIndex).toBeLessThan(before.supplyIndex);
    expect(after.socialized).toBe(true);
    expect(after.frozen).toBe(false);
    // What insurance and lenders lost together is the bad debt. (The pool is shared with the other test
    // files: their supplies and interest move shares and indexes a little meanwhile, hence the 1% margin.)
    const socialized = ((before.supplyIndex - after.supplyIndex) * after.supplyShares) / WAD;
    const lost = covered + socialized;
    expect(Number(lost)).toBeGreaterThan(Number(badDebt) * 0.99);
    expect(Number(lost)).toBeLessThan(Number(badDebt) * 1.01);
    await expectProgramError(
      client.send([await margin.settleBadDebt({ lrtMint, subAccount: sub.subAccount })], [liquidator.key]),
      "margin",
      "NoDebt",
    );

    await client.send(
      [await margin.closeSubAccount({ owner: trader.key.publicKey, lrtMint, index, destination: trader.lrt })],
      [trader.key],
    );
    expect(await client.connection.getAccountInfo(sub.subAccount)).toBeNull();

    // The next clean report (the same rate) ends bunker mode; the feed is fresh for the other tools.
    expect((await committeeReports(slashed)).held).toBe(false);
    expect(await client.feed(lrtMint)).toMatchObject({ fairRate: slashed, bunker: false });
  });
});
