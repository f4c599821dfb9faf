/** Small inline-SVG charts for the HTML report: no scripts, no external resources. */

export interface Frame {
  width: number;
  height: number;
  /** Margins: left, right, top, bottom. */
  m: [number, number, number, number];
}

const DEFAULT_FRAME: Frame = { width: 720, height: 280, m: [64, 16, 16, 40] };

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

export function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(a >= 1e10 ? 0 : 1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  if (a === 0) return "0";
  if (a < 0.01) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

interface Axes {
  x: (v: number) => number;
  y: (v: number) => number;
  svg: string[];
}

function axes(
  f: Frame,
  xlo: number,
  xhi: number,
  ylo: number,
  yhi: number,
  xlabel: string,
  ylabel: string,
  xfmt = compact,
  yfmt = compact,
): Axes {
  const [ml, mr, mt, mb] = f.m;
  const w = f.width - ml - mr;
  const h = f.height - mt - mb;
  const x = (v: number) => ml + (xhi > xlo ? ((v - xlo) / (xhi - xlo)) * w : w / 2);
  const y = (v: number) => mt + h - (yhi > ylo ? ((v - ylo) / (yhi - ylo)) * h : h / 2);
  const svg: string[] = [];
  for (const t of ticks(ylo, yhi)) {
    svg.push(`<line x1="${ml}" x2="${ml + w}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    svg.push(`<text x="${ml - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${esc(yfmt(t))}</text>`);
  }
  for (const t of ticks(xlo, xhi, 8)) {
    svg.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${mt + h}" y2="${mt + h + 4}" class="axis"/>`);
    svg.push(`<text x="${x(t).toFixed(1)}" y="${mt + h + 16}" text-anchor="middle">${esc(xfmt(t))}</text>`);
  }
  svg.push(`<line x1="${ml}" x2="${ml + w}" y1="${mt + h}" y2="${mt + h}" class="axis"/>`);
  svg.push(`<line x1="${ml}" x2="${ml}" y1="${mt}" y2="${mt + h}" class="axis"/>`);
  svg.push(`<text x="${ml + w / 2}" y="${f.height - 6}" text-anchor="middle" class="label">${esc(xlabel)}</text>`);
  svg.push(
    `<text transform="translate(14 ${mt + h / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(ylabel)}</text>`,
  );
  return { x, y, svg };
}

function wrap(f: Frame, body: string[], title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="100%" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body.join("")}</svg>`;
}

/** A histogram from bin edges and counts, with optional vertical markers (e.g. VaR). */
export function histogram(
  edges: number[],
  counts: number[],
  opts: { title: string; xlabel: string; ylabel: string; markers?: { at: number; label: string }[] },
): string {
  const f = DEFAULT_FRAME;
  if (counts.length === 0)
    return wrap(
      f,
      [`<text x="${f.width / 2}" y="${f.height / 2}" text-anchor="middle" class="label">no non-zero values</text>`],
      opts.title,
    );
  const ymax = Math.max(...counts, 1);
  const a = axes(f, edges[0]!, edges[edges.length - 1]!, 0, ymax, opts.xlabel, opts.ylabel);
  const body = [...a.svg];
  counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = a.x(edges[i]!);
    const x1 = a.x(edges[i + 1]!);
    body.push(
      `<rect x="${x0.toFixed(1)}" y="${a.y(c).toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 1).toFixed(1)}" height="${(a.y(0) - a.y(c)).toFixed(1)}" class="bar"><title>${esc(`${compact(edges[i]!)}–${compact(edges[i + 1]!)}: ${c}`)}</title></rect>`,
    );
  });
  (opts.markers ?? []).forEach((m, k) => {
    const x = a.x(m.at);
    const right = x > f.width * 0.8;
    body.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${f.m[2]}" y2="${a.y(0).toFixed(1)}" class="marker"/>`,
    );
    body.push(
      `<text x="${(right ? x - 4 : x + 4).toFixed(1)}" y="${f.m[2] + 12 + 14 * k}" text-anchor="${right ? "end" : "start"}" class="marker-label">${esc(m.label)}</text>`,
    );
  });
  return wrap(f, body, opts.title);
}

/** A fan chart: nested bands (outer first) and a median line over x. */
export function fan(
  xs: number[],
  bands: [number[], number[]][],
  median: number[],
  opts: {
    title: string;
    xlabel: string;
    ylabel: string;
    yfmt?: (v: number) => string;
    /** Lowest and highest values per x (drawn as dashed lines). */
    envelope?: [number[], number[]];
  },
): string {
  const f = DEFAULT_FRAME;
  if (xs.length === 0) return wrap(f, [], opts.title);
  const all = [
    ...bands.flatMap(([lo, hi]) => [...lo, ...hi]),
    ...median,
    ...(opts.envelope ? [...opts.envelope[0], ...opts.envelope[1]] : []),
  ];
  let ylo = Math.min(...all);
  let yhi = Math.max(...all);
  if (yhi - ylo < 1e-6) {
    ylo -= 0.001;
    yhi += 0.001;
  }
  const pad = (yhi - ylo) * 0.05;
  const a = axes(f, xs[0]!, xs[xs.length - 1]!, ylo - pad, yhi + pad, opts.xlabel, opts.ylabel, compact, opts.yfmt);
  const body = [...a.svg];
  bands.forEach(([lo, hi], k) => {
    const top = xs.map((x, i) => `${a.x(x).toFixed(1)},${a.y(hi[i]!).toFixed(1)}`);
    const bottom = xs.map((x, i) => `${a.x(x).toFixed(1)},${a.y(lo[i]!).toFixed(1)}`).reverse();
    body.push(`<polygon points="${[...top, ...bottom].join(" ")}" class="band band${k}"/>`);
  });
  body.push(
    `<polyline points="${xs.map((x, i) => `${a.x(x).toFixed(1)},${a.y(median[i]!).toFixed(1)}`).join(" ")}" class="line"/>`,
  );
  for (const edge of opts.envelope ?? [])
    body.push(
      `<polyline points="${xs.map((x, i) => `${a.x(x).toFixed(1)},${a.y(edge[i]!).toFixed(1)}`).join(" ")}" class="envelope"/>`,
    );
  return wrap(f, body, opts.title);
}

/** Bars over x (e.g. liquidations per time bucket) with an optional line on the same axes. */
export function bars(
  xs: number[],
  ys: number[],
  opts: { title: string; xlabel: string; ylabel: string; width?: number },
): string {
  const f = DEFAULT_FRAME;
  if (xs.length === 0) return wrap(f, [], opts.title);
  const ymax = Math.max(...ys, 1e-12);
  const step = xs.length > 1 ? xs[1]! - xs[0]! : 1;
  const a = axes(f, xs[0]! - step / 2, xs[xs.length - 1]! + step / 2, 0, ymax, opts.xlabel, opts.ylabel);
  const body = [...a.svg];
  xs.forEach((x, i) => {
    const y = ys[i]!;
    if (y <= 0) return;
    const x0 = a.x(x - step / 2);
    const x1 = a.x(x + step / 2);
    body.push(
      `<rect x="${x0.toFixed(1)}" y="${a.y(y).toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 0.5).toFixed(1)}" height="${(a.y(0) - a.y(y)).toFixed(1)}" class="bar"><title>${esc(`${compact(x)}: ${compact(y)}`)}</title></rect>`,
    );
  });
  return wrap(f, body, opts.title);
}

/** Horizontal interval chart: one row per label, a point estimate and its interval, on [0, max]. */
export function intervals(
  rows: { label: string; estimate: number; ci: [number, number] | null }[],
  opts: { title: string; xlabel: string; xfmt?: (v: number) => string },
): string {
  const rowH = 22;
  const f: Frame = { width: 720, height: 40 + rows.length * rowH, m: [80, 24, 8, 32] };
  const xmax = Math.max(1e-12, ...rows.map((r) => (r.ci ? r.ci[1] : r.estimate)));
  const [ml, mr, mt] = f.m;
  const w = f.width - ml - mr;
  const x = (v: number) => ml + (v / xmax) * w;
  const body: string[] = [];
  for (const t of ticks(0, xmax, 6)) {
    body.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${mt}" y2="${mt + rows.length * rowH}" class="grid"/>`,
    );
    body.push(
      `<text x="${x(t).toFixed(1)}" y="${mt + rows.length * rowH + 14}" text-anchor="middle">${esc((opts.xfmt ?? compact)(t))}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const cy = mt + i * rowH + rowH / 2;
    body.push(`<text x="${ml - 8}" y="${cy + 4}" text-anchor="end">${esc(r.label)}</text>`);
    body.push(
      `<rect x="${ml}" y="${cy - 6}" width="${Math.max(0, x(r.estimate) - ml).toFixed(1)}" height="12" class="bar"/>`,
    );
    if (r.ci)
      body.push(
        `<line x1="${x(r.ci[0]).toFixed(1)}" x2="${x(r.ci[1]).toFixed(1)}" y1="${cy}" y2="${cy}" class="whisker"/>`,
      );
  });
  body.push(
    `<text x="${ml + w / 2}" y="${f.height - 4}" text-anchor="middle" class="label">${esc(opts.xlabel)}</text>`,
  );
  return wrap(f, body, opts.title);
}

export const CHART_CSS = `
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .label { font-size: 12px; fill: #555; }
svg .grid { stroke: #e6e6e6; }
svg .axis { stroke: #888; }
svg .bar { fill: #3b6ea5; }
svg .line { fill: none; stroke: #1d3557; stroke-width: 1.8; }
svg .envelope { fill: none; stroke: #9b2226; stroke-width: 1; stroke-dasharray: 4 3; }
svg .band0 { fill: #3b6ea5; opacity: 0.15; }
svg .band1 { fill: #3b6ea5; opacity: 0.22; }
svg .band2 { fill: #3b6ea5; opacity: 0.35; }
svg .marker { stroke: #c0392b; stroke-dasharray: 4 3; }
svg .marker-label { fill: #c0392b; }
svg .whisker { stroke: #111; stroke-width: 2; }
`;
