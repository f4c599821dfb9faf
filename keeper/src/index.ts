// `@lantern/keeper`: the keeper service (run it with `lantern-keeper`, see docs/keeper.md) and the
// pieces its tests and the terminal UI use.
export {
  AppConfig,
  decodeConfig,
  describeConfig,
  KeeperConfigSchema,
  loadConfig,
  resolveRpcUrl,
  ROLES,
  websocketUrlFor,
} from "./config.js";
export { base58 } from "./base58.js";
export type { KeeperConfig, KeeperConfigInput, Overrides, Role } from "./config.js";
export { ConfigError, JournalError, RpcError, SourceError } from "./errors.js";
export { Health, HealthLive, HttpServerLive } from "./health.js";
export { M as metrics, renderPrometheus } from "./metrics.js";
export { runKeeper, servicesLayer, withLogger } from "./main.js";
export {
  AccountStore,
  AccountStoreLive,
  loadSubAccountSnapshot,
  makeSubAccountIndex,
  shardOf,
  writeSubAccountSnapshot,
} from "./services/accounts.js";
export type { Entry as AccountEntry, SubAccountIndex } from "./services/accounts.js";
export { ChainClock, ChainClockLive } from "./services/clock.js";
export {
  escalatedFee,
  MAX_FEE_ACCOUNTS,
  maxEscalationLevel,
  nextEscalationLevel,
  percentile,
  PriorityFees,
  PriorityFeesLive,
  priorityFee,
} from "./services/fees.js";
export type { EscalationPolicy, FeeContext, FeeEvent, PriorityFeesShape } from "./services/fees.js";
export { Journal, JournalLive, openJournal, TERMINAL } from "./services/journal.js";
export type { IntentRow, SignatureRow } from "./services/journal.js";
export { Protocol, ProtocolLive } from "./services/protocol.js";
export { classify, parseRetryAfter, Rpc, RpcLive } from "./services/rpc.js";
export {
  atPath,
  PriceSource,
  PriceSourceLive,
  StakeSource,
  StakeSourceLive,
  toUnixSeconds,
  toWad,
} from "./services/sources.js";
export { reconcile, signersOf, TxEngine, TxEngineDryRun, TxEngineLive } from "./services/tx.js";
export type { TxIntent, TxOutcome } from "./services/tx.js";
export { feePayerFor, Wallet, WalletLive } from "./services/wallet.js";
export { makeCranker } from "./workers/cranker.js";
export { classifyLiquidation, makeLiquidator, seizedValue } from "./workers/liquidator.js";
export { computeReport, makeMember } from "./workers/member.js";
export { FatalWorkerError, Retries, runIteration } from "./workers/worker.js";
export { demoKeeperConfig, startFleet } from "./demo/fleet.js";
export { parseCommand, startDemoMarket } from "./demo/market.js";
export * as demoWorld from "./demo/world.js";
