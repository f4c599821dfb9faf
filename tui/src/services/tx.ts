// Transactions: build the instruction with the sdk, simulate, wait for the person's confirmation, send,
// and follow it to confirmed, failed (the program's decoded error) or expired (its blockhash passed
// before it landed: nothing happened, send again). Each step is a store action; the form keeps its
// inputs for a retry.
import {
  type LanternClient,
  LanternProgramError,
  LanternTransactionError,
  marginInstructions,
  SUB_ACCOUNT_SIZE,
  subAccountAddresses,
} from "@lantern/sdk";
import { type Keypair, type PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { parseAmount } from "../format.js";
import { ACTIONS, formSummary, selectFormPreview } from "../store/forms.js";
import { ERROR_HINTS } from "../store/selectors.js";
import type { FormState, State } from "../store/state.js";
import type { Store } from "../store/store.js";
import { associatedTokenAddress, createAssociatedIdempotent, TOKEN_ACCOUNT_SIZE } from "./tokens.js";

export interface TxServiceOptions {
  client: LanternClient;
  store: Store;
  signer: Keypair;
  wsol: PublicKey;
  /** Your LRT token account (default: the associated one, created when a withdrawal needs it). */
  lrt?: PublicKey | undefined;
  /** How often the confirm step's blockhash countdown is read (ms). */
  countdownMs?: number;
  /** Called after a transaction ends, to re-read the chain at once. */
  onSettled: () => void;
}

export interface Classified {
  status: "failed" | "expired";
  error: string;
  hint: string | undefined;
}

/** Expired (the blockhash passed; nothing executed) is not failed (the program refused). */
export function classifyTxError(error: unknown): Classified {
  if (error instanceof LanternProgramError) {
    return { status: "failed", error: error.describe(), hint: ERROR_HINTS[error.name] };
  }
  if (error instanceof LanternTransactionError) {
    const code = typeof error.transactionError === "string" ? error.transactionError : undefined;
    if (code === "BlockhashExpired")
      return { status: "expired", error: error.message, hint: ERROR_HINTS.BlockhashExpired };
    return { status: "failed", error: error.message, hint: code ? ERROR_HINTS[code] : undefined };
  }
  return { status: "failed", error: error instanceof Error ? error.message : String(error), hint: undefined };
}

export interface Built {
  ixs: TransactionInstruction[];
  action: string;
  summary: string;
  subAddress: string;
}

export class TxService {
  private nextId = 1;
  private inFlight = 0;
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly o: TxServiceOptions) {}

  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** The LRT account deposits come from and withdrawals go to, and the instruction that creates it if needed. */
  private lrtAccount(lrtMint: PublicKey): { account: PublicKey; create: TransactionInstruction[] } {
    if (this.o.lrt) return { account: this.o.lrt, create: [] };
    const owner = this.o.signer.publicKey;
    return {
      account: associatedTokenAddress(owner, lrtMint),
      create: [createAssociatedIdempotent(owner, owner, lrtMint)],
    };
  }

  /** The form's instructions, built with the sdk from the fields and the preview's slippage guard. */
  async build(state: State, form: FormState): Promise<Built> {
    const world = state.world;
    const { preview, index } = selectFormPreview(state);
    if (!world || !preview || index === undefined)
      throw new Error("The sub-account or the market is not loaded yet: wait a moment");
    const owner = this.o.signer.publicKey;
    const lrtMint = world.market.lrtMint;
    const f = form.fields;
    const verb = ACTIONS[form.kind].verb;
    const subAddress =
      form.kind === "create" ? subAccountAddresses(lrtMint, owner, index).subAccount.toBase58() : form.subAddress;
    const summary = formSummary(state);
    const out = (...ixs: TransactionInstruction[]): Built => ({ ixs, action: verb, summary, subAddress });
    switch (form.kind) {
      case "leverageUp":
        return out(
          await marginInstructions.leverageUp({
            owner,
            lrtMint,
            index,
            ownerWsol: this.o.wsol,
            equity: parseAmount(f.equity ?? "")!,
            borrow: parseAmount(f.borrow ?? "")!,
            minLrtOut: preview.minOut,
          }),
        );
      case "deleverage":
        return out(
          await marginInstructions.deleverage({
            owner,
            lrtMint,
            index,
            ownerWsol: this.o.wsol,
            lrt: parseAmount(f.lrt ?? "")!,
            minSolOut: preview.minOut,
          }),
        );
      case "repay":
        return out(
          await marginInstructions.repay({
            payer: owner,
            lrtMint,
            subAccount: { owner, index },
            source: this.o.wsol,
            amount: parseAmount(f.amount ?? "")!,
          }),
        );
      case "create":
        return out(await marginInstructions.createSubAccount({ owner, lrtMint, index }));
      case "deposit":
        return out(
          await marginInstructions.depositCollateral({
            depositor: owner,
            lrtMint,
            subAccount: { owner, index },
            source: this.lrtAccount(lrtMint).account,
            amount: parseAmount(f.amount ?? "")!,
          }),
        );
      case "withdraw": {
        const { account, create } = this.lrtAccount(lrtMint);
        return out(
          ...create,
          await marginInstructions.withdrawCollateral({
            owner,
            lrtMint,
            index,
            destination: account,
            amount: parseAmount(f.amount ?? "")!,
          }),
        );
      }
      case "close": {
        const { account, create } = this.lrtAccount(lrtMint);
        return out(
          ...create,
          await marginInstructions.closeSubAccount({ owner, lrtMint, index, destination: account }),
        );
      }
    }
  }

  /** Rent the form's transaction deposits (open) or gives back (close). */
  private async rent(state: State, form: FormState): Promise<FormState["rent"]> {
    const { connection, commitment } = this.o.client;
    if (form.kind === "create") {
      const [sub, vault] = await Promise.all([
        connection.getMinimumBalanceForRentExemption(SUB_ACCOUNT_SIZE, commitment),
        connection.getMinimumBalanceForRentExemption(TOKEN_ACCOUNT_SIZE, commitment),
      ]);
      return { lamports: BigInt(sub + vault), returned: false };
    }
    if (form.kind === "close" && state.world) {
      const { subAccount, collateralVault } = subAccountAddresses(
        state.world.market.lrtMint,
        this.o.signer.publicKey,
        selectFormPreview(state).index ?? 0,
      );
      const infos = await connection.getMultipleAccountsInfo([subAccount, collateralVault], commitment);
      return { lamports: infos.reduce((sum, i) => sum + BigInt(i?.lamports ?? 0), 0n), returned: true };
    }
    return undefined;
  }

  private stopCountdown(): void {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = undefined;
  }

  /**
   * While the confirm step is open, counts the simulated blockhash's blocks down from the cluster's
   * block height; when it passes, the quote is stale: the form goes back to edit and says so.
   */
  private startCountdown(lastValidBlockHeight: number): void {
    const { store, client } = this.o;
    this.stopCountdown();
    const tick = async () => {
      if (store.getState().ui.form?.stage !== "confirm") return this.stopCountdown();
      try {
        const height = await client.connection.getBlockHeight(client.commitment);
        if (store.getState().ui.form?.stage !== "confirm") return;
        const left = lastValidBlockHeight - height;
        if (left > 0) store.dispatch({ type: "ui/form/patch", patch: { blocksLeft: left } });
        else {
          this.stopCountdown();
          store.dispatch({
            type: "ui/form/patch",
            patch: {
              stage: "edit",
              blocksLeft: 0,
              error: "The simulation's blockhash expired before you confirmed: nothing was sent; Enter simulates again",
            },
          });
        }
      } catch {
        // The next tick tries again; the chain service reports a dead endpoint.
      }
    };
    this.countdown = setInterval(() => void tick(), this.o.countdownMs ?? 1_000);
    this.countdown.unref?.();
  }

  /** Stops following the confirm step (the form closed). */
  dispose(): void {
    this.stopCountdown();
  }

  /** Simulates the form's transaction; on success the form waits for confirmation. */
  async simulate(): Promise<void> {
    const { store, client, signer } = this.o;
    const state = store.getState();
    const form = state.ui.form;
    if (!form) return;
    store.dispatch({ type: "ui/form/patch", patch: { stage: "simulating", error: undefined } });
    try {
      const { ixs } = await this.build(state, form);
      await client.simulate(ixs, [signer]);
      const [{ blockhash, lastValidBlockHeight }, height, rent] = await Promise.all([
        client.connection.getLatestBlockhash(client.commitment),
        client.connection.getBlockHeight(client.commitment),
        this.rent(state, form),
      ]);
      const message = new Transaction({ feePayer: signer.publicKey, blockhash, lastValidBlockHeight })
        .add(...ixs)
        .compileMessage();
      const fee = (await client.connection.getFeeForMessage(message, client.commitment)).value;
      if (store.getState().ui.form?.stage !== "simulating") return; // closed meanwhile
      store.dispatch({
        type: "ui/form/patch",
        patch: {
          stage: "confirm",
          blocksLeft: lastValidBlockHeight - height,
          fee: fee === null ? undefined : BigInt(fee),
          rent,
        },
      });
      this.startCountdown(lastValidBlockHeight);
    } catch (error) {
      const c = classifyTxError(error);
      store.dispatch({
        type: "ui/form/patch",
        patch: { stage: "edit", error: `Simulation failed: ${c.error}${c.hint ? ` — ${c.hint}` : ""}` },
      });
    }
  }

  /** Sends the confirmed form's transaction and follows it to its end. */
  async send(): Promise<void> {
    const { store, client, signer } = this.o;
    const state = store.getState();
    const form = state.ui.form;
    if (!form) return;
    this.stopCountdown();
    const id = this.nextId++;
    this.inFlight++;
    let record: { action: string; summary: string; subAddress: string } = {
      action: ACTIONS[form.kind].verb,
      summary: "",
      subAddress: form.subAddress,
    };
    try {
      const built = await this.build(state, form);
      record = { action: built.action, summary: built.summary, subAddress: built.subAddress };
      store.dispatch({
        type: "tx/start",
        record: {
          id,
          ...record,
          status: "sending",
          signature: undefined,
          error: undefined,
          hint: undefined,
          at: Date.now(),
        },
      });
      store.dispatch({ type: "ui/form/patch", patch: { stage: "sending", txId: id } });
      const signature = await client.send(built.ixs, [signer]);
      store.dispatch({ type: "tx/update", id, patch: { status: "confirmed", signature } });
      store.dispatch({ type: "ui/form/patch", patch: { stage: "done" } });
      store.dispatch({ type: "ui/toast", text: `${record.action} confirmed: ${signature.slice(0, 8)}…` });
    } catch (error) {
      const c = classifyTxError(error);
      const signature = error instanceof LanternTransactionError ? error.signature : undefined;
      if (!store.getState().activity.some((t) => t.id === id))
        store.dispatch({
          type: "tx/start",
          record: { id, ...record, status: c.status, signature, error: c.error, hint: c.hint, at: Date.now() },
        });
      else
        store.dispatch({ type: "tx/update", id, patch: { status: c.status, signature, error: c.error, hint: c.hint } });
      store.dispatch({
        type: "ui/form/patch",
        patch: {
          stage: "edit",
          error: `${c.status === "expired" ? "Expired" : "Failed"}: ${c.error}${c.hint ? ` — ${c.hint}` : ""}`,
        },
      });
    } finally {
      this.inFlight--;
      this.o.onSettled();
    }
  }
}
