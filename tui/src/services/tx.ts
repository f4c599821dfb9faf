// Transactions: build the instruction with the sdk, simulate, wait for the person's confirmation, send,
// and follow it to confirmed, failed (the program's decoded error) or expired (its blockhash passed
// before it landed: nothing happened, send again). Each step is a store action; the form keeps its
// inputs for a retry.
import { type LanternClient, LanternProgramError, LanternTransactionError, marginInstructions } from "@lantern/sdk";
import { type Keypair, type PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { parseAmount } from "../format.js";
import { ERROR_HINTS, selectFormPreview } from "../store/selectors.js";
import type { FormState } from "../store/state.js";
import type { Store } from "../store/store.js";

export interface TxServiceOptions {
  client: LanternClient;
  store: Store;
  signer: Keypair;
  wsol: PublicKey;
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

export class TxService {
  private nextId = 1;
  private inFlight = 0;

  constructor(private readonly o: TxServiceOptions) {}

  get busy(): boolean {
    return this.inFlight > 0;
  }

  private async instruction(form: FormState): Promise<{ ix: TransactionInstruction; summary: string; action: string }> {
    const state = this.o.store.getState();
    const world = state.world;
    const entry = state.subs.find((s) => s.address === form.subAddress);
    const { preview } = selectFormPreview(state);
    if (!world || !entry || !preview) throw new Error("The sub-account or the market is not loaded yet: wait a moment");
    const owner = this.o.signer.publicKey;
    const lrtMint = world.market.lrtMint;
    if (form.kind === "leverageUp") {
      const equity = parseAmount(form.fields.equity ?? "")!;
      const borrow = parseAmount(form.fields.borrow ?? "")!;
      return {
        action: "lever up",
        summary: `#${entry.sub.index}: ${form.fields.equity} SOL equity + ${form.fields.borrow} SOL borrowed`,
        ix: await marginInstructions.leverageUp({
          owner,
          lrtMint,
          index: entry.sub.index,
          ownerWsol: this.o.wsol,
          equity,
          borrow,
          minLrtOut: preview.minOut,
        }),
      };
    }
    if (form.kind === "repay") {
      const amount = parseAmount(form.fields.amount ?? "")!;
      return {
        action: "repay",
        summary: `#${entry.sub.index}: repay ${form.fields.amount} SOL`,
        ix: await marginInstructions.repay({
          payer: owner,
          lrtMint,
          subAccount: { owner, index: entry.sub.index },
          source: this.o.wsol,
          amount,
        }),
      };
    }
    const lrt = parseAmount(form.fields.lrt ?? "")!;
    return {
      action: "deleverage",
      summary: `#${entry.sub.index}: unstake ${form.fields.lrt} LRT and repay`,
      ix: await marginInstructions.deleverage({
        owner,
        lrtMint,
        index: entry.sub.index,
        ownerWsol: this.o.wsol,
        lrt,
        minSolOut: preview.minOut,
      }),
    };
  }

  /** Simulates the form's transaction; on success the form waits for confirmation. */
  async simulate(): Promise<void> {
    const { store, client, signer } = this.o;
    const form = store.getState().ui.form;
    if (!form) return;
    store.dispatch({ type: "ui/form/patch", patch: { stage: "simulating", error: undefined } });
    try {
      const { ix } = await this.instruction(form);
      await client.simulate([ix], [signer]);
      const [{ blockhash, lastValidBlockHeight }, height] = await Promise.all([
        client.connection.getLatestBlockhash(client.commitment),
        client.connection.getBlockHeight(client.commitment),
      ]);
      const message = new Transaction({ feePayer: signer.publicKey, blockhash, lastValidBlockHeight })
        .add(ix)
        .compileMessage();
      const fee = (await client.connection.getFeeForMessage(message, client.commitment)).value;
      store.dispatch({
        type: "ui/form/patch",
        patch: {
          stage: "confirm",
          blocksLeft: lastValidBlockHeight - height,
          fee: fee === null ? undefined : BigInt(fee),
        },
      });
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
    const form = store.getState().ui.form;
    if (!form) return;
    const id = this.nextId++;
    this.inFlight++;
    let record: { action: string; summary: string; subAddress: string } = {
      action: form.kind,
      summary: "",
      subAddress: form.subAddress,
    };
    try {
      const built = await this.instruction(form);
      record = { action: built.action, summary: built.summary, subAddress: form.subAddress };
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
      const signature = await client.send([built.ix], [signer]);
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
