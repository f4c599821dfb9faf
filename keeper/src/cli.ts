#!/usr/bin/env -S npx tsx
// `lantern-keeper [--config keeper.yaml] [--role member,liquidator,cranker] [--shard k/N] [--dry-run] [--once]`
// `lantern-keeper fleet --demo [--demo-dir .localnet] [--rpc-url URL]` — the demo world's fleet.
// `lantern-keeper demo-market --demo-dir .localnet [--port 8990]` — the demo's market and validators.
import { parseArgs } from "node:util";
import { Cause, Deferred, Effect, Exit } from "effect";
import { ROLES, type Role, loadConfig } from "./config.js";
import { runKeeper } from "./main.js";

const USAGE = `Usage:
  lantern-keeper [--config <file>] [--role <member|liquidator|cranker>[,...]] [--shard k/N] [--dry-run] [--once]
                 [--rpc-url <url|moniker>[,...]] [--keypair <file>] [--journal <file>] [--http-port <n>] [--name <name>]
  lantern-keeper fleet --demo [--demo-dir <dir>] [--rpc-url <url>] [--dry-run]
  lantern-keeper demo-market [--demo-dir <dir>] [--rpc-url <url>] [--port <n>]
Configuration reference: docs/keeper.md`;

async function runService(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", short: "c" },
      role: { type: "string", multiple: true },
      shard: { type: "string" },
      "dry-run": { type: "boolean" },
      once: { type: "boolean" },
      "rpc-url": { type: "string" },
      keypair: { type: "string" },
      journal: { type: "string" },
      "http-port": { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const roles = values.role?.flatMap((r) => r.split(",")).map((r) => r.trim());
  for (const r of roles ?? [])
    if (!(ROLES as readonly string[]).includes(r)) {
      console.error(`Unknown role "${r}": the roles are ${ROLES.join(", ")}.`);
      return 2;
    }
  const loaded = await Effect.runPromiseExit(
    loadConfig(values.config, {
      roles: roles as Role[] | undefined,
      dryRun: values["dry-run"],
      once: values.once,
      shard: values.shard,
      rpcUrls: values["rpc-url"]?.split(","),
      keypairPath: values.keypair,
      journalPath: values.journal,
      httpPort: values["http-port"] === undefined ? undefined : Number(values["http-port"]),
      name: values.name,
    }),
  );
  if (Exit.isFailure(loaded)) {
    const error = Cause.failureOption(loaded.cause);
    console.error(error._tag === "Some" ? error.value.message : Cause.pretty(loaded.cause));
    return 2;
  }
  const shutdown = Effect.runSync(Deferred.make<void>());
  let signals = 0;
  const onSignal = (signal: string) => {
    signals++;
    if (signals > 1) {
      console.error(`Second ${signal}: exiting now; open intents are reconciled at the next start.`);
      process.exit(130);
    }
    Effect.runSync(Deferred.succeed(shutdown, undefined));
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  const exit = await Effect.runPromiseExit(runKeeper(loaded.value, { shutdown }));
  if (Exit.isSuccess(exit)) return 0;
  const failure = Cause.failureOption(exit.cause);
  const defect = Cause.dieOption(exit.cause);
  const message =
    failure._tag === "Some"
      ? String((failure.value as { message?: string }).message ?? failure.value)
      : defect._tag === "Some"
        ? String((defect.value as Error).message ?? defect.value)
        : Cause.pretty(exit.cause);
  console.error(JSON.stringify({ level: "FATAL", message: `The keeper stopped: ${message}` }));
  return 1;
}

const [command, ...rest] = process.argv.slice(2);
let code: number;
if (command === "fleet") code = await (await import("./demo/fleet.js")).runFleet(rest);
else if (command === "demo-market") code = await (await import("./demo/market.js")).runDemoMarket(rest);
else code = await runService(process.argv.slice(2));
process.exit(code);
