/**
 * The float twin's names in `@lantern/sim`'s public surface (tests, the replay and the TUI use them).
 * The twin itself is ./approx.ts, named like the sdk functions it mirrors; these are the same bindings.
 */
export {
  DEFAULT_RISK,
  growth as growthF,
  isLiquidatable as isLiquidatableF,
  liquidationBonus as bonusF,
  liquidationPlan as planF,
  ltvLower as ltvLowerF,
  type MarketF,
  newPlan,
  type PlanF,
  prices as pricesF,
  type PricesF,
  type RiskF,
  riskFrom as riskFromParams,
  YEAR_SECS,
} from "./approx.js";
