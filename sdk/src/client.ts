// `LanternClient`: the programs over any `Connection` (local chain, devnet, mainnet), account fetchers
// (the sdk's fast decoders, after checking the owner program), and `send`, which simulates, sends and
// confirms a transaction and turns any failure into a `LanternProgramError` / `LanternTransactionError`.
import { Buffer } from "buffer";
import anchor from "@coral-xyz/anchor";
import {
  type Commitment,
  type Connection,
  Keypair,
  PublicKey,
  type Signer,
  SYSVAR_CLOCK_PUBKEY,
  Transaction,
  type TransactionInstruction,
  type TransactionSignature,
  VersionedTransaction,
} from "@solana/web3.js";
import { decodeCommittee, decodeFeed } from "./decode/oracle.js";
import { decodeStakePool, decodeTicket } from "./decode/restaking.js";
import { decodeLenderPosition, decodeLendingPool, decodeMarket, decodeSubAccount } from "./decode/margin.js";
import { LanternTransactionError, TOKEN_PROGRAM_ID, transactionErrorFrom } from "./errors.js";
import {
  lenderAddress,
  lendingPoolAddress,
  MARGIN_PROGRAM_ID,
  marketAddress,
  subAccountAddress,
} from "./margin/addresses.js";
import type { LenderPosition, LendingPool, Market, SubAccount } from "./margin/types.js";
import { committeeAddress, feedAddress, ORACLE_PROGRAM_ID } from "./oracle/addresses.js";
import type { Committee, Feed } from "./oracle/types.js";
import { lanternPrograms, type LanternPrograms } from "./programs.js";
import { RESTAKING_PROGRAM_ID, stakePoolAddress, ticketAddress } from "./restaking/addresses.js";
import type { StakePool, Ticket } from "./restaking/types.js";

const { AnchorProvider } = anchor;
/** Anchor's wallet interface (what `AnchorProvider` takes). */
type Wallet = ConstructorParameters<typeof AnchorProvider>[1];

/** Something that can pay for and sign transactions: a `Keypair`, or a wallet adapter. */
export type LanternWallet = Keypair | Pick<Wallet, "publicKey" | "signTransaction">;

export interface LanternClientOptions {
  /** Default fee payer and signer. Without one, `send` needs a `feePayer` among its signers. */
  wallet?: LanternWallet;
  /** Commitment for reads and confirmation (default `confirmed`). */
  commitment?: Commitment;
  /** How long `send` waits for confirmation before giving up (default 60 s; the blockhash expiry usually ends it first). */
  confirmTimeoutMs?: number;
}

export interface SendOptions {
  /** Fee payer; defaults to the client's wallet, else the first signer. */
  feePayer?: PublicKey;
  /** Skip the simulation before sending (the error then comes from the landed transaction). */
  skipSimulation?: boolean;
}

export interface ChainClock {
  slot: bigint;
  unixTimestamp: bigint;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A wallet that can only say who it is: lets Anchor's provider exist for read-only clients. */
function readOnlyWallet(publicKey: PublicKey): Wallet {
  const refuse = () =>
    Promise.reject(new Error("This LanternClient has no wallet: pass signers to send(), or give the client a wallet"));
  return { publicKey, signTransaction: refuse, signAllTransactions: refuse };
}

function asAnchorWallet(wallet: LanternWallet): Wallet {
  if (wallet instanceof Keypair) {
    return {
      publicKey: wallet.publicKey,
      payer: wallet,
      signTransaction: async <T extends Transaction | VersionedTransaction>(tx: T) => {
        if (tx instanceof VersionedTransaction) tx.sign([wallet]);
        else tx.partialSign(wallet);
        return tx;
      },
      signAllTransactions: async <T extends Transaction | VersionedTransaction>(txs: T[]) => {
        for (const tx of txs) {
          if (tx instanceof VersionedTransaction) tx.sign([wallet]);
          else tx.partialSign(wallet);
        }
        return txs;
      },
    };
  }
  return { ...wallet, signAllTransactions: (txs) => Promise.all(txs.map((tx) => wallet.signTransaction(tx))) };
}

export class LanternClient {
  readonly connection: Connection;
  /** Typed Anchor clients of the three programs over this connection (and wallet, if any). */
  readonly programs: LanternPrograms;
  readonly wallet: Wallet | undefined;
  readonly commitment: Commitment;
  private readonly confirmTimeoutMs: number;
  /** Signatures this client sent recently: the same message under the same blockhash would be a duplicate. */
  private readonly recentSignatures = new Set<string>();

  constructor(connection: Connection, options: LanternClientOptions = {}) {
    this.connection = connection;
    this.commitment = options.commitment ?? "confirmed";
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 60_000;
    this.wallet = options.wallet ? asAnchorWallet(options.wallet) : undefined;
    const provider = new AnchorProvider(connection, this.wallet ?? readOnlyWallet(PublicKey.default), {
      commitment: this.commitment,
      preflightCommitment: this.commitment,
    });
    this.programs = lanternPrograms(provider);
  }

  // ---- Reads ----

  /** The raw account, checked to belong to `owner`; `null` when it does not exist. */
  private async owned(address: PublicKey, owner: PublicKey, what: string): Promise<Uint8Array | null> {
    const info = await this.connection.getAccountInfo(address, this.commitment);
    if (!info) return null;
    if (!info.owner.equals(owner)) {
      throw new Error(
        `${address.toBase58()} is not a ${what}: it belongs to program ${info.owner.toBase58()}, not ${owner.toBase58()}`,
      );
    }
    return info.data;
  }

  private async required<T>(value: Promise<T | null>, what: string, address: PublicKey): Promise<T> {
    const v = await value;
    if (v === null) throw new Error(`No ${what} at ${address.toBase58()}: it has not been created on this cluster`);
    return v;
  }

  async fetchCommittee(address: PublicKey): Promise<Committee | null> {
    const data = await this.owned(address, ORACLE_PROGRAM_ID, "committee");
    return data && decodeCommittee(data);
  }

  async fetchFeed(address: PublicKey): Promise<Feed | null> {
    const data = await this.owned(address, ORACLE_PROGRAM_ID, "feed");
    return data && decodeFeed(data);
  }

  async fetchStakePool(address: PublicKey): Promise<StakePool | null> {
    const data = await this.owned(address, RESTAKING_PROGRAM_ID, "stake pool");
    return data && decodeStakePool(data);
  }

  async fetchTicket(address: PublicKey): Promise<Ticket | null> {
    const data = await this.owned(address, RESTAKING_PROGRAM_ID, "withdrawal ticket");
    return data && decodeTicket(data);
  }

  async fetchLendingPool(address: PublicKey): Promise<LendingPool | null> {
    const data = await this.owned(address, MARGIN_PROGRAM_ID, "lending pool");
    return data && decodeLendingPool(data);
  }

  async fetchLenderPosition(address: PublicKey): Promise<LenderPosition | null> {
    const data = await this.owned(address, MARGIN_PROGRAM_ID, "lender position");
    return data && decodeLenderPosition(data);
  }

  async fetchMarket(address: PublicKey): Promise<Market | null> {
    const data = await this.owned(address, MARGIN_PROGRAM_ID, "market");
    return data && decodeMarket(data);
  }

  async fetchSubAccount(address: PublicKey): Promise<SubAccount | null> {
    const data = await this.owned(address, MARGIN_PROGRAM_ID, "sub-account");
    return data && decodeSubAccount(data);
  }

  /** The committee of `lrtMint` (throws when there is none). */
  committee(lrtMint: PublicKey): Promise<Committee> {
    const address = committeeAddress(lrtMint);
    return this.required(this.fetchCommittee(address), "committee", address);
  }

  /** The feed of `lrtMint` (throws when there is none). */
  feed(lrtMint: PublicKey): Promise<Feed> {
    const address = feedAddress(lrtMint);
    return this.required(this.fetchFeed(address), "feed", address);
  }

  stakePool(lrtMint: PublicKey): Promise<StakePool> {
    const address = stakePoolAddress(lrtMint);
    return this.required(this.fetchStakePool(address), "stake pool", address);
  }

  /** Withdrawal ticket `id` of `lrtMint`'s pool, or `null` once claimed (or never requested). */
  ticket(lrtMint: PublicKey, id: bigint): Promise<Ticket | null> {
    return this.fetchTicket(ticketAddress(stakePoolAddress(lrtMint), id));
  }

  /** The SOL lending pool. */
  lendingPool(): Promise<LendingPool> {
    const address = lendingPoolAddress();
    return this.required(this.fetchLendingPool(address), "lending pool", address);
  }

  /** `owner`'s supply position, or `null` when it never supplied. */
  lenderPosition(owner: PublicKey): Promise<LenderPosition | null> {
    return this.fetchLenderPosition(lenderAddress(lendingPoolAddress(), owner));
  }

  market(lrtMint: PublicKey): Promise<Market> {
    const address = marketAddress(lendingPoolAddress(), lrtMint);
    return this.required(this.fetchMarket(address), "market", address);
  }

  /** `owner`'s sub-account `index` in the market of `lrtMint`, or `null` when it does not exist. */
  subAccount(lrtMint: PublicKey, owner: PublicKey, index: number): Promise<SubAccount | null> {
    return this.fetchSubAccount(subAccountAddress(marketAddress(lendingPoolAddress(), lrtMint), owner, index));
  }

  /** The cluster's clock (what programs read as `Clock::get()`). */
  async clock(): Promise<ChainClock> {
    const info = await this.connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY, this.commitment);
    if (!info || info.data.length < 40) throw new Error("The cluster did not return the Clock sysvar");
    const data = Buffer.from(info.data);
    return { slot: data.readBigUInt64LE(0), unixTimestamp: data.readBigInt64LE(32) };
  }

  /** A token account's balance in base units (0 when the account does not exist). */
  async tokenBalance(account: PublicKey): Promise<bigint> {
    const info = await this.connection.getAccountInfo(account, this.commitment);
    if (!info) return 0n;
    if (!info.owner.equals(TOKEN_PROGRAM_ID) || info.data.length < 72)
      throw new Error(`${account.toBase58()} is not an SPL Token account`);
    return Buffer.from(info.data).readBigUInt64LE(64);
  }

  // ---- Transactions ----

  private feePayerFor(signers: readonly Signer[], options: SendOptions): PublicKey {
    const feePayer = options.feePayer ?? this.wallet?.publicKey ?? signers[0]?.publicKey;
    if (!feePayer)
      throw new LanternTransactionError(
        "Nothing can pay for this transaction: give LanternClient a wallet or pass a signer",
        "NoFeePayer",
      );
    return feePayer;
  }

  /** Builds and signs the transaction with a fresh blockhash that this client has not used for the same message. */
  private async build(
    instructions: readonly TransactionInstruction[],
    signers: readonly Signer[],
    options: SendOptions,
  ) {
    const feePayer = this.feePayerFor(signers, options);
    for (let attempt = 0; ; attempt++) {
      const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash(this.commitment);
      const tx = new Transaction({ feePayer, blockhash, lastValidBlockHeight }).add(...instructions);
      const unique = new Map<string, Signer>();
      for (const s of signers) unique.set(s.publicKey.toBase58(), s);
      const needed = new Set(
        tx
          .compileMessage()
          .accountKeys.slice(0, tx.compileMessage().header.numRequiredSignatures)
          .map((k) => k.toBase58()),
      );
      const own = [...unique.values()].filter((s) => needed.has(s.publicKey.toBase58()));
      if (own.length > 0) tx.partialSign(...own);
      if (
        this.wallet &&
        needed.has(this.wallet.publicKey.toBase58()) &&
        !unique.has(this.wallet.publicKey.toBase58())
      ) {
        await this.wallet.signTransaction(tx);
      }
      const missing = tx.signatures.filter((s) => s.signature === null).map((s) => s.publicKey.toBase58());
      if (missing.length > 0) {
        throw new LanternTransactionError(
          `The transaction needs a signature from ${missing.join(", ")}: pass its keypair among the signers`,
          "MissingSignature",
        );
      }
      const raw = tx.serialize();
      const signature = anchor.utils.bytes.bs58.encode(tx.signature!);
      if (!this.recentSignatures.has(signature)) {
        this.recentSignatures.add(signature);
        if (this.recentSignatures.size > 1_024)
          this.recentSignatures.delete(this.recentSignatures.values().next().value!);
        return { raw, signature, lastValidBlockHeight };
      }
      // The same message under the same blockhash is the same transaction: wait for the next block.
      if (attempt > 50)
        throw new LanternTransactionError(
          "The cluster's blockhash is not advancing: cannot send the same transaction again",
          "BlockhashStuck",
        );
      await sleep(100);
    }
  }

  /**
   * Simulates `instructions`; resolves with the logs, or throws the `LanternProgramError` (or
   * `LanternTransactionError`) they would fail with.
   */
  async simulate(
    instructions: readonly TransactionInstruction[],
    signers: readonly Signer[] = [],
    options: SendOptions = {},
  ): Promise<{ logs: string[]; unitsConsumed?: number }> {
    const { raw } = await this.build(instructions, signers, options);
    const result = await this.connection.simulateTransaction(VersionedTransaction.deserialize(raw), {
      commitment: this.commitment,
      sigVerify: false,
    });
    const logs = result.value.logs ?? [];
    if (result.value.err) throw transactionErrorFrom(result.value.err, instructions, logs);
    return { logs, unitsConsumed: result.value.unitsConsumed };
  }

  /**
   * Simulates, sends and confirms one transaction of `instructions`, signed by `signers` (and the
   * client's wallet when it is the fee payer or a signer). Resolves with the signature once confirmed;
   * throws a `LanternProgramError` naming the program's error when an instruction fails.
   */
  async send(
    instructions: readonly TransactionInstruction[],
    signers: readonly Signer[] = [],
    options: SendOptions = {},
  ): Promise<TransactionSignature> {
    const { raw, signature, lastValidBlockHeight } = await this.build(instructions, signers, options);
    if (!options.skipSimulation) {
      const result = await this.connection.simulateTransaction(VersionedTransaction.deserialize(raw), {
        commitment: this.commitment,
        sigVerify: false,
      });
      if (result.value.err) throw transactionErrorFrom(result.value.err, instructions, result.value.logs ?? []);
    }
    await this.sendRaw(raw);
    const deadline = Date.now() + this.confirmTimeoutMs;
    let lastBroadcast = Date.now();
    for (;;) {
      const [status] = (await this.connection.getSignatureStatuses([signature])).value;
      if (
        status &&
        (status.confirmationStatus === "finalized" ||
          status.confirmationStatus === this.commitment ||
          (this.commitment === "processed" && status.confirmationStatus))
      ) {
        if (status.err) {
          const landed = await this.connection.getTransaction(signature, {
            commitment: "confirmed",
            maxSupportedTransactionVersion: 0,
          });
          throw transactionErrorFrom(status.err, instructions, landed?.meta?.logMessages ?? [], signature);
        }
        return signature;
      }
      if (!status) {
        const height = await this.connection.getBlockHeight(this.commitment);
        if (height > lastValidBlockHeight) {
          throw new LanternTransactionError(
            `Transaction ${signature} expired before it landed (its blockhash is too old): send it again`,
            "BlockhashExpired",
            [],
            signature,
          );
        }
        if (Date.now() - lastBroadcast > 2_000) {
          await this.sendRaw(raw).catch(() => undefined);
          lastBroadcast = Date.now();
        }
      }
      if (Date.now() > deadline) {
        throw new LanternTransactionError(
          `Transaction ${signature} was not confirmed within ${this.confirmTimeoutMs / 1000} s: check it before sending again`,
          "ConfirmTimeout",
          [],
          signature,
        );
      }
      await sleep(150);
    }
  }

  private async sendRaw(raw: Buffer): Promise<void> {
    try {
      await this.connection.sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new LanternTransactionError(`The cluster refused the transaction: ${message}`, error);
    }
  }
}
