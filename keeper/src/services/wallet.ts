// The keeper's signing key, from a Solana CLI keypair file or the redacted inline value.
import { readFileSync } from "node:fs";
import { Keypair } from "@solana/web3.js";
import { Context, Effect, Layer, Redacted } from "effect";
import { AppConfig, expandHome } from "../config.js";
import { ConfigError } from "../errors.js";

export class Wallet extends Context.Tag("keeper/Wallet")<Wallet, { readonly keypair: Keypair }>() {}

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
    if (config.keypair)
      return { keypair: yield* parseSecret(Redacted.value(config.keypair), "LANTERN_KEEPER_KEYPAIR") };
    if (!config.keypairPath)
      return yield* Effect.fail(
        new ConfigError({
          message:
            "No keypair configured: set keypairPath in the configuration, LANTERN_KEEPER_KEYPAIR_PATH, or the Solana CLI's keypair_path (`solana config set --keypair <file>`).",
        }),
      );
    const path = expandHome(config.keypairPath);
    const text = yield* Effect.try({
      try: () => readFileSync(path, "utf8"),
      catch: (e) =>
        new ConfigError({
          message: `Cannot read the keypair file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check keypairPath.`,
        }),
    });
    return { keypair: yield* parseSecret(text, path) };
  }),
);
