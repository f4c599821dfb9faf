/** Writes results to a directory: JSON (the result, byte-identical for any worker count), CSV, HTML. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunOutput, SimResult } from "../run.js";
import { PATH_ROW_FIELDS, type PathRow } from "../stats.js";
import { resultsCsv, seriesCsv } from "./csv.js";
import { compareHtml, resultHtml } from "./html.js";

export { resultsCsv, seriesCsv } from "./csv.js";
export { compareHtml, resultHtml } from "./html.js";
export { antitheticNote, type GainReadout } from "./format.js";

/** The canonical serialisation of a result or partial (what determinism is checked on). */
export function toJson(output: RunOutput): string {
  return `${JSON.stringify(output, null, 2)}\n`;
}

/** One row per path (`--per-path`), in path order. */
export function pathsCsv(rows: readonly PathRow[]): string {
  const lines = [PATH_ROW_FIELDS.join(",")];
  for (const r of rows) lines.push(PATH_ROW_FIELDS.map((k) => String(r[k])).join(","));
  return `${lines.join("\n")}\n`;
}

/**
 * Writes results.json, results.csv, series.csv and report.html into `dir`, and paths.csv when the run
 * kept per-path rows (they stay out of results.json, which holds the statistics); returns the files.
 */
export function writeResult(dir: string, result: SimResult): string[] {
  mkdirSync(dir, { recursive: true });
  const { perPath, ...summary } = result;
  const files: [string, string][] = [
    ["results.json", toJson(summary)],
    ["results.csv", resultsCsv(result)],
    ["series.csv", seriesCsv(result)],
    ["report.html", resultHtml(result)],
    ...(perPath ? [["paths.csv", pathsCsv(perPath)] as [string, string]] : []),
  ];
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}

/** Writes a comparison: one sub-directory per variant plus compare.html / compare.csv. */
export function writeComparison(dir: string, variants: { name: string; result: SimResult }[]): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-");
  for (const v of variants) written.push(...writeResult(join(dir, slug(v.name)), v.result));
  const csv = variants.map((v, i) => {
    const body = resultsCsv(v.result).trimEnd().split("\n");
    const lines = body.map((line, k) => (k === 0 ? `variant,${line}` : `${JSON.stringify(v.name)},${line}`));
    return (i === 0 ? lines : lines.slice(1)).join("\n");
  });
  writeFileSync(join(dir, "compare.csv"), `${csv.join("\n")}\n`);
  writeFileSync(
    join(dir, "compare.html"),
    compareHtml(variants.map((v) => ({ ...v, link: `${slug(v.name)}/report.html` }))),
  );
  written.push(join(dir, "compare.csv"), join(dir, "compare.html"));
  return written;
}
