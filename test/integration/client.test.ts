// LanternClient itself: its PDA helpers against the addresses the local chain's demo bootstrap wrote, a
// builder for every instruction of the three IDLs, the account fetchers, and `send`'s failure paths.
import { describe, expect, it } from "vitest";
import { Keypair, PublicKey, SystemProgram, type TransactionInstruction } from "@solana/web3.js";
import oracleIdl from "@lantern/sdk/idl/oracle.json" with { type: "json" };
import restakingIdl from "@lantern/sdk/idl/restaking.json" with { type: "json" };
import marginIdl from "@lantern/sdk/idl/margin.json" with { type: "json" };
import {
  committeeAddress,
  DEFAULT_RATE_CURVE,
  DEFAULT_RISK_PARAMS,
  DEFAULT_SANITY_LIMITS,
  escrowVaultAddress,
  feedAddress,
  LanternClient,
  LanternProgramError,
  LanternTransactionError,
  lendingPoolAddress,
  lendingVaultAddress,
  marginInstructions as margin,
  marketAddresses,
  oracleInstructions as oracle,
  reserveVaultAddress,
  restakingInstructions as restaking,
  stakePoolAddress,
  subAccountAddresses,
  transactionErrorFrom,
} from "@lantern/sdk";
import { connection, demo, expectProgramError, funded, lanternClient, SOL, user, WAD, world } from "./world.js";

describe("addresses", () => {
  it("the PDA helpers derive every address the demo bootstrap created", () => {
    const d = demo();
    const lrtMint = new PublicKey(d.lrtMint);
    const m = marketAddresses(lrtMint);
    const pool = stakePoolAddress(lrtMint);
    const trader = new PublicKey(d.wallets.trader!.pubkey);
    const sub = subAccountAddresses(lrtMint, trader, d.traderSubAccount.index);
    const derived = {
      committee: committeeAddress(lrtMint),
      feed: feedAddress(lrtMint),
      stakePool: pool,
      reserveVault: reserveVaultAddress(pool),
      escrowVault: escrowVaultAddress(pool),
      lendingPool: lendingPoolAddress(),
      lendingVault: lendingVaultAddress(lendingPoolAddress()),
      market: m.market,
      insuranceVault: m.insuranceVault,
      subAccount: sub.subAccount,
      collateralVault: sub.collateralVault,
    };
    expect(Object.fromEntries(Object.entries(derived).map(([k, v]) => [k, v.toBase58()]))).toEqual({
      committee: d.committee,
      feed: d.feed,
      stakePool: d.stakePool,
      reserveVault: d.reserveVault,
      escrowVault: d.escrowVault,
      lendingPool: d.lendingPool,
      lendingVault: d.lendingVault,
      market: d.market,
      insuranceVault: d.insuranceVault,
      subAccount: d.traderSubAccount.address,
      collateralVault: d.traderSubAccount.collateralVault,
    });
    expect(() => subAccountAddresses(lrtMint, trader, 70_000)).toThrow(/u16/);
  });
});

describe("instruction builders", () => {
  it("there is one for every instruction of the three programs, and its accounts follow the IDL", async () => {
    const k = () => Keypair.generate().publicKey;
    const lrtMint = k();
    const report = oracle.accountingReport({ lrtMint, frame: 3n, rate: WAD, stakedLamports: 1n, consensusVersion: 1n });
    const params = {
      curve: DEFAULT_RATE_CURVE,
      reserveFactorBps: 1_000,
      maxUtilizationBps: 9_500,
      supplyCap: 1n,
      borrowCap: 1n,
    };
    const sub = { owner: k(), index: 1 };
    const built: TransactionInstruction[] = await Promise.all([
      oracle.initializeCommittee({
        admin: k(),
        mintAuthority: k(),
        lrtMint,
        guardian: k(),
        genesisTs: 1,
        frameSecs: 86_400,
        fastLaneSecs: 0,
        consensusVersion: 1n,
        initialRate: WAD,
        limits: DEFAULT_SANITY_LIMITS,
      }),
      oracle.addMember({ admin: k(), lrtMint, authority: k(), signer: k(), quorum: 1 }),
      oracle.removeMember({ admin: k(), lrtMint, authority: k(), quorum: 1 }),
      oracle.rotateSigner({ authority: k(), lrtMint, newSigner: k() }),
      oracle.setConsensusDisabled({ authority: k(), lrtMint, disabled: true }),
      oracle.setConsensusVersion({ admin: k(), lrtMint, consensusVersion: 2n }),
      oracle.setPaused({ authority: k(), lrtMint, paused: true }),
      oracle.setQuorum({ admin: k(), lrtMint, quorum: 1 }),
      oracle.setRoles({ admin: k(), lrtMint, newAdmin: k(), guardian: k() }),
      oracle.submitPrice({ signer: k(), lrtMint, price: WAD, observedTs: 1 }),
      oracle.voteForReport({ signer: k(), lrtMint, report }),
      oracle.submitReportData({ signer: k(), lrtMint, report }),
      oracle.updateFrameConfig({ admin: k(), lrtMint, frameSecs: 1, fastLaneSecs: 0 }),
      oracle.updateLimits({ admin: k(), lrtMint, limits: DEFAULT_SANITY_LIMITS }),
      oracle.confirmHeldDecrease({ guardian: k(), lrtMint, frame: 1n }),
      oracle.enableBunker({ guardian: k(), lrtMint }),
      restaking.initializeStakePool({
        admin: k(),
        mintAuthority: k(),
        lrtMint,
        stakeManager: k(),
        instantUnstakeFeeBps: 30,
      }),
      restaking.updateStakePool({ admin: k(), lrtMint, stakeManager: k(), instantUnstakeFeeBps: 30 }),
      restaking.deposit({ depositor: k(), lrtMint, source: k(), destination: k(), lamports: 1n, minLrtOut: 0n }),
      restaking.requestWithdrawal({ owner: k(), lrtMint, source: k(), ticketId: 0n, lrt: 1n }),
      restaking.finalizeWithdrawals({ lrtMint, firstTicket: 2n, upTo: 4n }),
      restaking.claim({ owner: k(), lrtMint, ticketId: 0n, destination: k() }),
      restaking.instantUnstake({ owner: k(), lrtMint, source: k(), destination: k(), lrt: 1n, minSolOut: 0n }),
      restaking.delegate({ stakeManager: k(), lrtMint, destination: k(), lamports: 1n }),
      restaking.undelegate({ stakeManager: k(), lrtMint, source: k(), lamports: 1n }),
      margin.initializeLendingPool({ admin: k(), params }),
      margin.updateLendingPool({ admin: k(), params }),
      margin.accrueInterest(),
      margin.initializeMarket({
        admin: k(),
        lrtMint,
        policy: "MinOfBoth",
        risk: DEFAULT_RISK_PARAMS,
        collateralCap: 1n,
      }),
      margin.updateMarket({
        admin: k(),
        lrtMint,
        policy: "Market",
        risk: DEFAULT_RISK_PARAMS,
        collateralCap: 1n,
        paused: true,
      }),
      margin.supply({ owner: k(), source: k(), amount: 1n }),
      margin.withdrawSupply({ owner: k(), destination: k(), shares: 1n }),
      margin.createSubAccount({ owner: sub.owner, lrtMint, index: 1 }),
      margin.depositCollateral({ depositor: k(), lrtMint, subAccount: sub, source: k(), amount: 1n }),
      margin.withdrawCollateral({ owner: sub.owner, lrtMint, index: 1, destination: k(), amount: 1n }),
      margin.borrow({ owner: sub.owner, lrtMint, index: 1, destination: k(), amount: 1n }),
      margin.repay({ payer: k(), lrtMint, subAccount: sub, source: k(), amount: 1n }),
      margin.leverageUp({ owner: sub.owner, lrtMint, index: 1, ownerWsol: k(), equity: 1n, borrow: 1n, minLrtOut: 0n }),
      margin.deleverage({ owner: sub.owner, lrtMint, index: 1, ownerWsol: k(), lrt: 1n, minSolOut: 0n }),
      margin.liquidate({
        liquidator: k(),
        lrtMint,
        subAccount: sub,
        liquidatorWsol: k(),
        liquidatorLrt: k(),
        maxRepay: 1n,
        minCollateralOut: 0n,
      }),
      margin.settleBadDebt({ lrtMint, subAccount: sub }),
      margin.convertInsurance({ lrtMint, lrt: 1n, minSolOut: 0n }),
      margin.applyMarketUpdate({ lrtMint }),
      margin.closeSubAccount({ owner: sub.owner, lrtMint, index: 1, destination: k() }),
    ]);
    const idls = [oracleIdl, restakingIdl, marginIdl];
    const expected = idls.flatMap((idl) => idl.instructions.map((ix) => `${idl.metadata.name}.${ix.name}`)).sort();
    const found = built.map((ix) => {
      const idl = idls.find((i) => i.address === ix.programId.toBase58())!;
      const instruction = idl.instructions.find((i) => Buffer.from(i.discriminator).equals(ix.data.subarray(0, 8)))!;
      // Account order and flags come from the IDL (plus the finalize crank's tickets, in queue order).
      const remaining = ix.keys.slice(instruction.accounts.length);
      expect(ix.keys.slice(0, instruction.accounts.length).map((m) => [m.isSigner, m.isWritable])).toEqual(
        instruction.accounts.map((a) => [
          Boolean((a as { signer?: boolean }).signer),
          Boolean((a as { writable?: boolean }).writable),
        ]),
      );
      expect(remaining.length).toBe(instruction.name === "finalize_withdrawals" ? 3 : 0);
      return `${idl.metadata.name}.${instruction.name}`;
    });
    expect(found.sort()).toEqual(expected);
    expect(expected).toHaveLength(16 + 9 + 19);
  });

  it("refuses arguments the programs could not receive, saying which", async () => {
    await expect(
      restaking.deposit({
        depositor: PublicKey.default,
        lrtMint: PublicKey.default,
        source: PublicKey.default,
        destination: PublicKey.default,
        lamports: -1n,
        minLrtOut: 0n,
      }),
    ).rejects.toThrow(/lamports must be a u64/);
    await expect(
      oracle.setQuorum({ admin: PublicKey.default, lrtMint: PublicKey.default, quorum: 256 }),
    ).rejects.toThrow(/quorum must be a u8/);
    await expect(
      oracle.submitReportHash({
        signer: PublicKey.default,
        lrtMint: PublicKey.default,
        frame: 1n,
        hash: new Uint8Array(31),
        consensusVersion: 1n,
      }),
    ).rejects.toThrow(/32 bytes/);
  });
});

describe("LanternClient", () => {
  it("fetches the demo world's accounts through the fast decoders, checking the owner program", async () => {
    const client = lanternClient();
    const d = demo();
    const lrtMint = new PublicKey(d.lrtMint);
    expect((await client.committee(lrtMint)).memberCount).toBe(9);
    expect((await client.stakePool(lrtMint)).lrtMint.equals(lrtMint)).toBe(true);
    expect((await client.market(lrtMint)).lrtMint.equals(lrtMint)).toBe(true);
    expect((await client.lendingPool()).vault.equals(new PublicKey(d.lendingVault))).toBe(true);
    expect((await client.lenderPosition(new PublicKey(d.wallets.lender!.pubkey)))?.shares).toBeGreaterThan(0n);
    const trader = await client.subAccount(lrtMint, new PublicKey(d.wallets.trader!.pubkey), 0);
    expect(trader?.owner.toBase58()).toBe(d.wallets.trader!.pubkey);
    expect(await client.subAccount(lrtMint, Keypair.generate().publicKey, 0)).toBeNull();
    // A margin account is not a feed: the owner check says so before any decoding.
    await expect(client.fetchFeed(new PublicKey(d.market))).rejects.toThrow(/is not a feed: it belongs to program/);
    await expect(client.committee(Keypair.generate().publicKey)).rejects.toThrow(
      /No committee at .* has not been created/,
    );
    // The typed Anchor programs read the same state through Anchor's coder.
    const viaAnchor = await client.programs.oracle.account.committee.fetch(committeeAddress(lrtMint));
    const decoded = await client.committee(lrtMint);
    expect([viaAnchor.memberCount, viaAnchor.quorum, BigInt(viaAnchor.frames.anchorTs.toString())]).toEqual([
      decoded.memberCount,
      decoded.quorum,
      decoded.frames.anchorTs,
    ]);
    expect(viaAnchor.feed.equals(feedAddress(lrtMint))).toBe(true);
    const clock = await client.clock();
    expect(clock.unixTimestamp).toBeGreaterThan(1_600_000_000n);
  });

  it("send: a failure that lands (no simulation) maps to the same named error, with its signature; missing signers and fee payers are explained", async () => {
    const client = lanternClient();
    // An isolated world: the demo's feed goes stale while the reporting tests warp the clock.
    const { lrtMint } = await world(client);
    const u = await user(client, 2n * SOL, lrtMint);
    const deposit = await restaking.deposit({
      depositor: u.key.publicKey,
      lrtMint,
      source: u.wsol,
      destination: u.lrt,
      lamports: SOL,
      minLrtOut: 10n * SOL,
    });
    const simulated = await expectProgramError(client.send([deposit], [u.key]), "restaking", "SlippageExceeded");
    expect(simulated.signature).toBeUndefined();
    const balance = await client.connection.getBalance(u.key.publicKey);
    const landed = await expectProgramError(
      client.send([deposit], [u.key], { skipSimulation: true }),
      "restaking",
      "SlippageExceeded",
    );
    expect(landed.signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{80,90}$/);
    expect(landed.instructionIndex).toBe(0);
    expect(await client.connection.getBalance(u.key.publicKey)).toBe(balance - 5_000); // the fee of a landed failure

    // The failing instruction's index is the one named (here the second).
    const transfer = SystemProgram.transfer({
      fromPubkey: u.key.publicKey,
      toPubkey: Keypair.generate().publicKey,
      lamports: 1_000_000,
    });
    const second = await expectProgramError(client.send([transfer, deposit], [u.key]), "restaking", "SlippageExceeded");
    expect(second.instructionIndex).toBe(1);

    const stranger = Keypair.generate();
    const unsigned = await restaking.deposit({
      depositor: stranger.publicKey,
      lrtMint,
      source: u.wsol,
      destination: u.lrt,
      lamports: SOL,
      minLrtOut: 0n,
    });
    await expect(client.send([unsigned], [u.key])).rejects.toThrow(
      new RegExp(`needs a signature from ${stranger.publicKey.toBase58()}`),
    );
    await expect(client.send([unsigned])).rejects.toBeInstanceOf(LanternTransactionError);
    await expect(client.send([unsigned])).rejects.toThrow(/Nothing can pay/);

    // An unfunded fee payer is a transaction error, not a program error.
    const broke = new LanternClient(connection(), { wallet: Keypair.generate() });
    const failure = await broke
      .send(
        [SystemProgram.transfer({ fromPubkey: u.key.publicKey, toPubkey: stranger.publicKey, lamports: 1 })],
        [u.key],
      )
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LanternTransactionError);
    expect(failure).not.toBeInstanceOf(LanternProgramError);
    expect((failure as Error).message).toMatch(/fee payer/);

    // A client with a wallet pays and signs by itself.
    const payer = await funded(client, 1n);
    const withWallet = new LanternClient(connection(), { wallet: payer });
    const to = Keypair.generate().publicKey;
    await withWallet.send([SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_000_000 })]);
    expect(await withWallet.connection.getBalance(to)).toBe(1_000_000);
  });

  it("maps error codes per program (the three programs' codes overlap)", () => {
    const ix = (programId: string) => ({ programId: new PublicKey(programId), keys: [] });
    const code6005 = { InstructionError: [0, { Custom: 6005 }] };
    const names = [oracleIdl, restakingIdl, marginIdl].map(
      (idl) => (transactionErrorFrom(code6005, [ix(idl.address)]) as LanternProgramError).name,
    );
    expect(names).toEqual(["NotMintAuthority", "SlippageExceeded", "InvalidDecimals"]);
    const hasOne = transactionErrorFrom({ InstructionError: [0, { Custom: 2001 }] }, [
      ix(marginIdl.address),
    ]) as LanternProgramError;
    expect(hasOne.describe()).toBe("margin ConstraintHasOne (2001): A has one constraint was violated");
    const runtime = transactionErrorFrom({ InstructionError: [0, "MissingRequiredSignature"] }, [
      ix(oracleIdl.address),
    ]) as LanternProgramError;
    expect([runtime.program, runtime.name, runtime.code]).toEqual(["oracle", "MissingRequiredSignature", null]);
    // Without logs, a low code inside a program that calls SPL Token is SPL Token's.
    const token = transactionErrorFrom({ InstructionError: [0, { Custom: 1 }] }, [
      {
        programId: new PublicKey(marginIdl.address),
        keys: [
          { pubkey: new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"), isSigner: false, isWritable: false },
        ],
      },
    ]) as LanternProgramError;
    expect([token.program, token.name]).toEqual(["token", "InsufficientFunds"]);
    expect(transactionErrorFrom("BlockhashNotFound", []).message).toMatch(/send it again/);
  });
});
