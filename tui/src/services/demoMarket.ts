// Shocks for the demo market that `npm start` runs (keeper/src/demo/market.ts): `depeg 5% [10m]`,
// `slash 3%`, `recover`, POSTed to its /command; its answer (or refusal) is the sentence shown.
export function demoMarketShock(priceUrl: string, timeoutMs = 10_000) {
  const url = priceUrl.replace(/\/price$/, "/command");
  return async (line: string): Promise<string> => {
    const response = await fetch(url, { method: "POST", body: line, signal: AbortSignal.timeout(timeoutMs) });
    const text = (await response.text()).trim();
    if (!response.ok) throw new Error(text || `HTTP ${response.status}`);
    return text;
  };
}
