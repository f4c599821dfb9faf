import type { Margin } from "../../idl/margin.js";
import type { Oracle } from "../../idl/oracle.js";
import type { Restaking } from "../../idl/restaking.js";
import marginIdl from "../../idl/margin.json" with { type: "json" };
import oracleIdl from "../../idl/oracle.json" with { type: "json" };
import restakingIdl from "../../idl/restaking.json" with { type: "json" };

/** The variant names of each program's error enum (`#[error_code]`), exactly as in Rust. */
export type OracleErrorName = Capitalize<Oracle["errors"][number]["name"]>;
export type RestakingErrorName = Capitalize<Restaking["errors"][number]["name"]>;
export type MarginErrorName = Capitalize<Margin["errors"][number]["name"]>;

export interface ProgramErrorNames {
  oracle: OracleErrorName;
  restaking: RestakingErrorName;
  margin: MarginErrorName;
}
export type LanternProgram = keyof ProgramErrorNames;

export interface ProgramErrorEntry {
  name: string;
  message: string;
}

const table = (errors: { code: number; name: string; msg: string }[]) =>
  new Map(errors.map((e) => [e.code, { name: e.name, message: e.msg }]));

/** Each program's error enum from its IDL: code → Rust variant name and message. */
export const PROGRAM_ERRORS: Record<LanternProgram, ReadonlyMap<number, ProgramErrorEntry>> = {
  oracle: table(oracleIdl.errors),
  restaking: table(restakingIdl.errors),
  margin: table(marginIdl.errors),
};

const MESSAGES = Object.fromEntries(
  Object.entries(PROGRAM_ERRORS).map(([program, errors]) => [
    program,
    new Map([...errors.values()].map((e) => [e.name, e.message])),
  ]),
) as Record<LanternProgram, Map<string, string>>;

/**
 * A protocol error raised by the sdk's mirror of the program math: `code` is the Rust variant name
 * (`MathOverflow`, `ZeroAmount`, `NotLiquidatable`, ...), so off-chain code can branch on exactly the
 * error the program would return for the same inputs.
 */
export class LanternError<P extends LanternProgram = LanternProgram> extends Error {
  override readonly name = "LanternError";

  constructor(
    readonly program: P,
    readonly code: ProgramErrorNames[P],
  ) {
    super(`${program}: ${code}: ${MESSAGES[program].get(code) ?? code}`);
  }
}

/** Whether `error` is a LanternError, optionally with the given variant name. */
export function isLanternError(error: unknown, code?: string): error is LanternError {
  return error instanceof LanternError && (code === undefined || error.code === code);
}
