// A parser of the Prometheus text exposition format (version 0.0.4): `# HELP`/`# TYPE` lines, samples
// `name{label="value",...} value [timestamp]` with escaped label values, and +Inf/-Inf/NaN.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Metrics {
  samples: Sample[];
  types: Record<string, string>;
  help: Record<string, string>;
}

export class PrometheusParseError extends Error {}

function parseValue(text: string, line: number): number {
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new PrometheusParseError(`line ${line}: "${text}" is not a number`);
  return value;
}

export function parsePrometheus(text: string): Metrics {
  const metrics: Metrics = { samples: [], types: {}, help: {} };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
      if (m) (m[1] === "HELP" ? metrics.help : metrics.types)[m[2]!] = m[3]!;
      continue;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) throw new PrometheusParseError(`line ${i + 1}: no metric name in "${line}"`);
    let pos = name.length;
    const labels: Record<string, string> = {};
    if (line[pos] === "{") {
      pos++;
      for (;;) {
        while (line[pos] === " " || line[pos] === ",") pos++;
        if (line[pos] === "}") {
          pos++;
          break;
        }
        const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(pos))?.[0];
        if (!key || line[pos + key.length] !== "=" || line[pos + key.length + 1] !== '"')
          throw new PrometheusParseError(`line ${i + 1}: malformed labels in "${line}"`);
        pos += key.length + 2;
        let value = "";
        for (;;) {
          const c = line[pos];
          if (c === undefined) throw new PrometheusParseError(`line ${i + 1}: unterminated label value`);
          pos++;
          if (c === '"') break;
          if (c === "\\") {
            const next = line[pos++];
            value += next === "n" ? "\n" : (next ?? "");
          } else value += c;
        }
        labels[key] = value;
      }
    }
    const rest = line.slice(pos).trim().split(/\s+/);
    metrics.samples.push({ name, labels, value: parseValue(rest[0] ?? "", i + 1) });
  }
  return metrics;
}

/** Sum of the samples named `name` whose labels include `match`. */
export function sumOf(metrics: Metrics, name: string, match: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const s of metrics.samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).some(([k, v]) => s.labels[k] !== v)) continue;
    total = (total ?? 0) + s.value;
  }
  return total;
}

/** `{label value → sum}` of the samples named `name`, grouped by `label`. */
export function byLabel(metrics: Metrics, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of metrics.samples) {
    if (s.name !== name) continue;
    const key = s.labels[label] ?? "";
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}
