// The keeper's signing key, from a Solana CLI keypair file or the redacted inline value, and the per-role
// fee payers (keypair files) when configured.
import { readFileSync } from "node:fs";
import { Keypair } from "@solana/web3.js";
import { Context, Effect, Layer, Redacted } from "effect";
import { AppConfig, expandHome, type Role } from "../config.js";
import { ConfigError } from "../errors.js";

export interface WalletShape {
  /** Signs as every role's authority (member signer, liquidator, cranker) and pays unless a role has its own payer. */
  readonly keypair: Keypair;
  readonly feePayers?: Partial<Record<Role, Keypair>>;
}

export class Wallet extends Context.Tag("keeper/Wallet")<Wallet, WalletShape>() {}

/** Who pays for a transaction of `role`. */
export const feePayerFor = (wallet: WalletShape, role: Role | undefined): Keypair =>
  (role && wallet.feePayers?.[role]) || wallet.keypair;

const readKeypairFile = (path: string, what: string, field: string) =>
  Effect.gen(function* () {
    const file = expandHome(path);
    const text = yield* Effect.try({
      try: () => readFileSync(file, "utf8"),
      catch: (e) =>
        new ConfigError({
          message: `Cannot read the ${what} file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check ${field}.`,
        }),
    });
    return yield* parseSecret(text, file);
  });

const parseSecret = (text: string, origin: string) =>
  Effect.try({
    try: () => {
      const bytes = JSON.parse(text) as unknown;
      if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256))
        throw new Error("not a JSON array of 64 bytes");
      return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
    },
    catch: (e) =>
      new ConfigError({
        message: `The keypair in ${origin} is not a Solana CLI keypair (${(e as Error).message}); create one with \`solana-keygen new -o <file>\`.`,
      }),
  });

export const WalletLive = Layer.effect(
  Wallet,
  Effect.gen(function* () {
    const config = yield* AppConfig;
    const feePayers: Partial<Record<Role, Keypair>> = {};
    for (const [role, path] of Object.entries(config.feePayers ?? {}))
      if (path)
        feePayers[role as Role] = yield* readKeypairFile(path, `${role} fee payer keypair`, `feePayers.${role}`);
    if (config.keypair)
      return { keypair: yield* parseSecret(Redacted.value(config.keypair), "LANTERN_KEEPER_KEYPAIR"), feePayers };
    if (!config.keypairPath)
      return yield* Effect.fail(
        new ConfigError({
          message:
            "No keypair configured: set keypairPath in the configuration, LANTERN_KEEPER_KEYPAIR_PATH, or the Solana CLI's keypair_path (`solana config set --keypair <file>`).",
        }),
      );
    return { keypair: yield* readKeypairFile(config.keypairPath, "keypair", "keypairPath"), feePayers };
  }),
);
