// Failed transactions as errors a person can act on. Natively compiled programs do not log `msg!`, so
// the error is found from the code in `{InstructionError: [index, {Custom: code}]}` and the program
// that raised it: the runtime's "Program X failed" log line when there are logs (it names the program
// that failed first, e.g. SPL Token inside a margin instruction), else the failing instruction's program.
// The three programs' own codes all start at 6000, so codes are always looked up per program.
import anchor from "@coral-xyz/anchor";
import { PublicKey, SystemProgram, type TransactionInstruction } from "@solana/web3.js";
import oracleIdl from "../idl/oracle.json" with { type: "json" };
import restakingIdl from "../idl/restaking.json" with { type: "json" };
import marginIdl from "../idl/margin.json" with { type: "json" };
import { PROGRAM_ERRORS, type ProgramErrorEntry as ErrorEntry } from "./math/errors.js";

export type LanternProgramName = "oracle" | "restaking" | "margin" | "system" | "token" | "unknown";

export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

// Anchor is CommonJS: under Node's own ESM loader only its default export carries every name.
const { LangErrorCode, LangErrorMessage } = anchor;

const PROGRAM_NAMES = new Map<string, LanternProgramName>([
  [oracleIdl.address, "oracle"],
  [restakingIdl.address, "restaking"],
  [marginIdl.address, "margin"],
  [SystemProgram.programId.toBase58(), "system"],
  [TOKEN_PROGRAM_ID.toBase58(), "token"],
]);

/** Which of the programs the sdk knows `programId` is. */
export function programName(programId: PublicKey | string): LanternProgramName {
  return PROGRAM_NAMES.get(typeof programId === "string" ? programId : programId.toBase58()) ?? "unknown";
}

/** Anchor's own errors (constraints, account checks): codes 100..5999, the same for every Anchor program. */
const ANCHOR_ERRORS = new Map<number, ErrorEntry>(
  Object.entries(LangErrorCode).map(([name, code]) => [code, { name, message: LangErrorMessage.get(code) ?? name }]),
);

/** SPL Token's `TokenError`, in declaration order. */
const TOKEN_ERRORS: ErrorEntry[] = [
  ["NotRentExempt", "Lamport balance below rent-exempt threshold"],
  ["InsufficientFunds", "Insufficient funds in the token account"],
  ["InvalidMint", "Invalid mint"],
  ["MintMismatch", "The token account is for another mint"],
  ["OwnerMismatch", "The token account's owner does not match"],
  ["FixedSupply", "This token's supply is fixed and new tokens cannot be minted"],
  ["AlreadyInUse", "The account is already in use"],
  ["InvalidNumberOfProvidedSigners", "Invalid number of provided signers"],
  ["InvalidNumberOfRequiredSigners", "Invalid number of required signers"],
  ["UninitializedState", "The token account or mint is not initialized"],
  ["NativeNotSupported", "This instruction does not support native (wrapped SOL) tokens"],
  ["NonNativeHasBalance", "Non-native account can only be closed if its balance is zero"],
  ["InvalidInstruction", "Invalid instruction"],
  ["InvalidState", "The account is in an invalid state"],
  ["Overflow", "Operation overflowed"],
  ["AuthorityTypeNotSupported", "The account does not support this authority type"],
  ["MintCannotFreeze", "This token mint cannot freeze accounts"],
  ["AccountFrozen", "The token account is frozen"],
  ["MintDecimalsMismatch", "The provided decimals do not match the mint's decimals"],
  ["NonNativeNotSupported", "This instruction does not support non-native tokens"],
].map(([name, message]) => ({ name: name!, message: message! }));

/** The System program's `SystemError`, in declaration order. */
const SYSTEM_ERRORS: ErrorEntry[] = [
  ["AccountAlreadyInUse", "An account with the same address already exists"],
  ["ResultWithNegativeLamports", "The account does not have enough SOL for this"],
  ["InvalidProgramId", "Cannot assign the account to this program id"],
  ["InvalidAccountDataLength", "Cannot allocate an account data of this length"],
  ["MaxSeedLengthExceeded", "The seed is longer than the maximum"],
  ["AddressWithSeedMismatch", "The address does not match the derived seed"],
  ["NonceNoRecentBlockhashes", "Advancing the stored nonce requires a populated RecentBlockhashes sysvar"],
  ["NonceBlockhashNotExpired", "The stored nonce is still in the recent blockhashes"],
  ["NonceUnexpectedBlockhashValue", "The specified nonce does not match the stored nonce"],
].map(([name, message]) => ({ name: name!, message: message! }));

/** Runtime `InstructionError` variants other than `Custom`, with what a person can do about the common ones. */
const RUNTIME_MESSAGES: Record<string, string> = {
  MissingRequiredSignature: "A required signature is missing: sign with the account's key",
  InsufficientFunds: "An account does not have enough funds for this",
  AccountNotRentExempt: "An account would fall below the rent-exempt minimum",
  InvalidAccountData: "An account's data is not what the program expects (wrong account?)",
  AccountAlreadyInitialized: "The account is already initialized",
  UninitializedAccount: "The account is not initialized",
  IncorrectProgramId: "An account belongs to another program than expected",
  NotEnoughAccountKeys: "The instruction is missing accounts",
  InvalidArgument: "An argument is invalid",
  InvalidInstructionData: "The instruction data is invalid",
  ProgramFailedToComplete: "The program failed to complete",
  ComputationalBudgetExceeded: "The transaction ran out of compute units",
};

/** A transaction that failed before or outside any instruction (fee payer, blockhash, expiry, ...). */
export class LanternTransactionError extends Error {
  constructor(
    message: string,
    /** The runtime's error value, as the RPC returned it. */
    readonly transactionError: unknown,
    readonly logs: string[] = [],
    readonly signature?: string,
  ) {
    super(message);
    this.name = "LanternTransactionError";
  }
}

/**
 * An instruction failed with a program's error. `name` is the Rust variant (or Anchor's error name,
 * e.g. `ConstraintHasOne`), `message` its IDL text, `program` which program raised it.
 */
export class LanternProgramError extends LanternTransactionError {
  override readonly name: string;
  readonly program: LanternProgramName;
  /** The custom error code; `null` for a runtime error such as `MissingRequiredSignature`. */
  readonly code: number | null;
  /** The failing top-level instruction's index in the transaction. */
  readonly instructionIndex: number;
  /** The program that raised the error (for a CPI, the inner program). */
  readonly programId: PublicKey | null;

  constructor(init: {
    program: LanternProgramName;
    name: string;
    code: number | null;
    message: string;
    instructionIndex: number;
    programId: PublicKey | null;
    transactionError: unknown;
    logs?: string[];
    signature?: string;
  }) {
    super(init.message, init.transactionError, init.logs ?? [], init.signature);
    this.name = init.name;
    this.program = init.program;
    this.code = init.code;
    this.instructionIndex = init.instructionIndex;
    this.programId = init.programId;
  }

  /** "margin NotLiquidatable (6012): The sub-account is healthy and cannot be liquidated" */
  describe(): string {
    return `${this.program} ${this.name}${this.code === null ? "" : ` (${this.code})`}: ${this.message}`;
  }
}

const TRANSACTION_MESSAGES: Record<string, string> = {
  AccountNotFound: "The fee payer has no SOL on this cluster: fund it first",
  InsufficientFundsForFee: "The fee payer cannot pay the transaction fee: add SOL to it",
  InsufficientFundsForRent: "An account would be left below the rent-exempt minimum: add SOL",
  BlockhashNotFound: "The transaction's blockhash expired or is unknown: send it again",
  AlreadyProcessed: "This exact transaction was already processed",
  SignatureFailure: "A signature does not verify: sign with the right keys",
  AccountInUse: "An account is locked by another transaction: retry",
};

/** Looks up a custom code for the program that raised it. */
export function lookupProgramError(program: LanternProgramName, code: number): ErrorEntry | undefined {
  switch (program) {
    case "oracle":
    case "restaking":
    case "margin":
      return code >= 6000 ? PROGRAM_ERRORS[program].get(code) : ANCHOR_ERRORS.get(code);
    case "token":
      return TOKEN_ERRORS[code];
    case "system":
      return SYSTEM_ERRORS[code];
    default:
      return undefined;
  }
}

/** The program that failed first, from the runtime's log lines ("Program X failed: ..."). */
function failingProgramFromLogs(logs: string[]): PublicKey | null {
  for (const line of logs) {
    const match = /^Program (\w{32,44}) failed: /.exec(line);
    if (match?.[1]) {
      try {
        return new PublicKey(match[1]);
      } catch {
        return null;
      }
    }
  }
  return null;
}

const splitWords = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

/**
 * The error a failed transaction's `err` stands for. `instructions` are the transaction's instructions
 * in order (to know which program each index ran), `logs` the runtime's log lines if any.
 */
export function transactionErrorFrom(
  err: unknown,
  instructions: readonly Pick<TransactionInstruction, "programId" | "keys">[],
  logs: string[] = [],
  signature?: string,
): LanternTransactionError {
  if (err && typeof err === "object" && "InstructionError" in err) {
    const [index, inner] = (err as { InstructionError: [number, unknown] }).InstructionError;
    const instruction = instructions[index];
    const topLevel = instruction?.programId ?? null;
    const fromLogs = failingProgramFromLogs(logs);
    if (inner && typeof inner === "object" && "Custom" in inner) {
      const code = Number((inner as { Custom: number }).Custom);
      let programId = fromLogs ?? topLevel;
      let program: LanternProgramName = programId ? programName(programId) : "unknown";
      // Without logs, a code below Anchor's range inside an Anchor program came from a CPI into SPL
      // Token or the System program: name the one the instruction involves.
      if (!fromLogs && code < 100 && (program === "oracle" || program === "restaking" || program === "margin")) {
        const usesToken = instruction?.keys.some((k) => k.pubkey.equals(TOKEN_PROGRAM_ID)) ?? false;
        programId = usesToken ? TOKEN_PROGRAM_ID : SystemProgram.programId;
        program = usesToken ? "token" : "system";
      }
      const entry = lookupProgramError(program, code);
      return new LanternProgramError({
        program,
        name: entry?.name ?? `Custom${code}`,
        code,
        message: entry?.message ?? `The ${program} program failed with error code ${code}`,
        instructionIndex: index,
        programId,
        transactionError: err,
        logs,
        signature,
      });
    }
    const variant =
      typeof inner === "string"
        ? inner
        : inner && typeof inner === "object"
          ? (Object.keys(inner)[0] ?? "Unknown")
          : String(inner);
    const detail = inner && typeof inner === "object" ? Object.values(inner)[0] : undefined;
    const programId = fromLogs ?? topLevel;
    const base = RUNTIME_MESSAGES[variant] ?? `The instruction failed: ${splitWords(variant)}`;
    return new LanternProgramError({
      program: programId ? programName(programId) : "unknown",
      name: variant,
      code: null,
      message: typeof detail === "string" && detail ? `${base} (${detail})` : base,
      instructionIndex: index,
      programId,
      transactionError: err,
      logs,
      signature,
    });
  }
  const variant =
    typeof err === "string" ? err : err && typeof err === "object" ? (Object.keys(err)[0] ?? "Unknown") : String(err);
  return new LanternTransactionError(
    TRANSACTION_MESSAGES[variant] ?? `The transaction failed: ${splitWords(variant)}`,
    err,
    logs,
    signature,
  );
}
