// Renders the accuracy benchmark's learning curves (the JSON of `npm run bench -- accuracy --full`)
// to a PNG: one panel per run (split and normalisation), accuracy and max-scaled loss per epoch, and
// the hardness baselines when the report has them. Plain SVG rendered by sharp.
// Standalone: node bin/run-ts.js bench/plot-accuracy.ts docs/bench/accuracy-demo.json docs/bench/accuracy-demo.png
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { RENDERED_PRESETS } from '../src-main/core/dataset/synth/presets';
import { writeFileAtomic } from '../src-main/core/util/atomic-write';

export interface CurvePoint {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface RunSummary {
  split: { strategy: string; valFraction: number };
  /** TrainConfig.normalization of the run (null in reports from before it was recorded). */
  normalization: string | null;
  trainSeconds: number;
  imagesPerSecond: number | null;
  valWells: number;
  wellAccuracy: number | null;
  wellAccuracyAssigned: number | null;
  curve: CurvePoint[];
}

export interface AccuracyReport {
  preset: string;
  mode: string;
  backend: string;
  backendDetail: string;
  cpus: number;
  arch: string;
  runs: RunSummary[];
  /** One line summarising the nearest-centroid baselines on the same held-out wells, if any. */
  baselineNote: string | null;
}

const PANEL_MIN_WIDTH = 450;
const BASE_WIDTH = 900;
const BASE_HEIGHT = 380;
const NOTE_HEIGHT = 24;
const FONT = 'DejaVu Sans, sans-serif';
const BLUE = '#1f77b4';
const RED = '#d62728';
const PLOT_TOP = 76;
const PLOT_BOTTOM = 306;

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function parseRun(v: unknown, key: string, file: string): RunSummary {
  const bad = (what: string) =>
    new Error(
      `${file}: ${key}.${what} (expected the JSON printed by \`npm run bench -- accuracy --full\`)`,
    );
  if (!isObj(v)) throw bad('is missing');
  if (!Array.isArray(v.curve) || v.curve.length === 0) throw bad('curve is missing or empty');
  const curve = v.curve.map((p: unknown, i): CurvePoint => {
    const epoch = isObj(p) ? num(p.epoch) : null;
    const loss = isObj(p) ? num(p.loss) : null;
    const accuracy = isObj(p) ? num(p.accuracy) : null;
    if (!isObj(p) || epoch === null || loss === null || accuracy === null)
      throw bad(`curve[${i}] lacks a numeric epoch, loss or accuracy`);
    return { epoch, loss, accuracy, valLoss: num(p.valLoss), valAccuracy: num(p.valAccuracy) };
  });
  const split = isObj(v.split) ? v.split : {};
  return {
    split: {
      strategy: typeof split.strategy === 'string' ? split.strategy : key,
      valFraction: num(split.valFraction) ?? NaN,
    },
    normalization: typeof v.normalization === 'string' ? v.normalization : null,
    trainSeconds: num(v.trainSeconds) ?? NaN,
    imagesPerSecond: num(v.imagesPerSecond),
    valWells: num(v.valWells) ?? NaN,
    wellAccuracy: num(v.wellAccuracy),
    wellAccuracyAssigned: num(v.wellAccuracyAssigned),
    curve,
  };
}

/** Validates the benchmark JSON text; errors name `file` and what is wrong. */
export function parseAccuracyReport(text: string, file: string): AccuracyReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // Tolerate npm's "> script" banner lines when stdout was redirected through `npm run`.
    const start = text.search(/^\{/m);
    try {
      data = JSON.parse(start > 0 ? text.slice(start) : text);
    } catch {
      throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!isObj(data)) throw new Error(`${file}: expected a JSON object with random and experiment`);
  const config = isObj(data.config) ? data.config : {};
  let runs: RunSummary[];
  if (Array.isArray(data.runs) && data.runs.length > 0) {
    runs = data.runs.map((v, i) => parseRun(v, `runs[${i}]`, file));
  } else {
    runs = [parseRun(data.random, 'random', file)];
    // `--no-experiment-split` prints experiment: null; plot the random split alone then.
    if (data.experiment !== null) runs.push(parseRun(data.experiment, 'experiment', file));
  }
  return {
    preset: typeof data.preset === 'string' ? data.preset : 'demo',
    mode: typeof data.mode === 'string' ? data.mode : 'full',
    backend: typeof data.backend === 'string' ? data.backend : '?',
    backendDetail: typeof data.backendDetail === 'string' ? data.backendDetail : '',
    cpus: num(data.cpus) ?? NaN,
    arch: typeof config.arch === 'string' ? config.arch : '?',
    runs,
    baselineNote: baselineNote(data.baselines),
  };
}

/** "per-channel means 4% / 26% / 29%, shape features …" from the report's baselines.sameSplit. */
function baselineNote(v: unknown): string | null {
  const same = isObj(v) && isObj(v.sameSplit) ? v.sameSplit : null;
  if (!same) return null;
  const three = (k: string): string | null => {
    const b = same[k];
    if (!isObj(b)) return null;
    const vals = [b.raw, b.perExperiment, b.controls].map(num);
    return vals.some((x) => x === null) ? null : vals.map(pct).join(' / ');
  };
  const means = three('meanIntensity');
  const shape = three('shape');
  if (means === null || shape === null) return null;
  const wells = num(same.testWells);
  return `Nearest-centroid baselines on the same held-out wells${wells === null ? '' : ` (${wells})`}, none / per-experiment / control-normalised: per-channel means ${means}; shape features ${shape}`;
}

const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function pct(v: number | null): string {
  return v === null ? 'n/a' : `${(v * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

/** Held-out experiment count as split.ts picks it, when the preset's experiment count is known. */
function heldOutExperiments(preset: string, fraction: number): number | null {
  const cfg = (RENDERED_PRESETS as Record<string, (typeof RENDERED_PRESETS)['demo'] | undefined>)[
    preset
  ];
  if (!cfg || !Number.isFinite(fraction)) return null;
  const n = Object.values(cfg.train).reduce((a, b) => a + b, 0);
  return n <= 1 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
}

/** The panel title: the split, or the normalisation when every panel has the same split. */
function panelTitle(run: RunSummary, preset: string, byNorm: boolean): string {
  if (byNorm) {
    const wells = Number.isFinite(run.valWells) ? ` (${run.valWells} val wells)` : '';
    return `normalisation: ${run.normalization ?? '?'}${wells}`;
  }
  return splitTitle(run, preset);
}

function splitTitle(run: RunSummary, preset: string): string {
  const f = run.split.valFraction;
  const wells = Number.isFinite(run.valWells) ? ` (${run.valWells} val wells)` : '';
  const share = Number.isFinite(f) ? `${Math.round(f * 100)}% of ` : '';
  if (run.split.strategy === 'random') {
    const ratio = Number.isFinite(f) ? ` ${Math.round((1 - f) * 100)}/${Math.round(f * 100)}` : '';
    return `Random${ratio} split${wells}`;
  }
  if (run.split.strategy === 'experiment') {
    const n = heldOutExperiments(preset, f);
    const what = n === null ? `${share}experiments` : `${n} whole experiment${n === 1 ? '' : 's'}`;
    return `${what} held out${wells}`;
  }
  return `${share}${run.split.strategy}s held out${wells}`;
}

function backendSummary(r: AccuracyReport): string {
  const threads = /(\d+)\s+threads?/.exec(r.backendDetail);
  return threads ? `${r.backend}, ${threads[1]} threads` : r.backend;
}

/** Rough DejaVu Sans advance width, enough to size label backgrounds and space the legend. */
const textWidth = (s: string, size: number): number => s.length * size * 0.53;

function text(x: number, y: number, s: string, size: number, extra = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" ${extra}>${escapeXml(s)}</text>`;
}

/** A polyline through the non-null points, broken where a value is missing. */
function seriesPath(pts: (readonly [number, number | null])[], stroke: string, dashed: boolean) {
  let d = '';
  let pen = false;
  for (const [x, y] of pts) {
    if (y === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)} `;
    pen = true;
  }
  const dash = dashed ? ' stroke-dasharray="6 4"' : '';
  return `<path d="${d.trim()}" fill="none" stroke="${stroke}" stroke-width="1.8"${dash} stroke-linejoin="round"/>`;
}

function epochTicks(last: number): number[] {
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500].find((s) => (last - 1) / s <= 7) ?? 1000;
  const ticks: number[] = [];
  for (let e = 1; e <= last; e += step) ticks.push(e);
  // Label the last epoch too when it does not crowd the tick before it.
  if (last - ticks[ticks.length - 1]! >= step * 0.6) ticks.push(last);
  return ticks;
}

function panel(
  run: RunSummary,
  preset: string,
  left: number,
  right: number,
  byNorm: boolean,
): string {
  const epochs = run.curve.map((p) => p.epoch + 1);
  const first = Math.min(1, ...epochs);
  const last = Math.max(first + 1, ...epochs);
  const sx = (e: number) => left + ((e - first) / (last - first)) * (right - left);
  const sy = (v: number) => PLOT_BOTTOM - v * (PLOT_BOTTOM - PLOT_TOP);
  const out: string[] = [];
  const mid = (left + right) / 2;
  out.push(text(mid, PLOT_TOP - 32, panelTitle(run, preset, byNorm), 13, 'text-anchor="middle"'));
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    const y = sy(v);
    out.push(
      `<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#e6e6e6" stroke-width="1"/>`,
    );
    out.push(text(left - 6, y + 4, v.toFixed(2), 11, 'text-anchor="end"'));
  }
  for (const e of epochTicks(last)) {
    const x = sx(e);
    out.push(
      `<line x1="${x}" y1="${PLOT_BOTTOM}" x2="${x}" y2="${PLOT_BOTTOM + 4}" stroke="#444"/>`,
    );
    out.push(text(x, PLOT_BOTTOM + 17, String(e), 11, 'text-anchor="middle"'));
  }
  out.push(text(mid, PLOT_BOTTOM + 33, 'epoch', 12, 'text-anchor="middle"'));
  out.push(
    `<path d="M${left} ${PLOT_TOP}V${PLOT_BOTTOM}H${right}" fill="none" stroke="#444" stroke-width="1"/>`,
  );
  const maxOf = (vs: (number | null)[]) => Math.max(...vs.map((v) => v ?? 0)) || 1;
  const trainMax = maxOf(run.curve.map((p) => p.loss));
  const valMax = maxOf(run.curve.map((p) => p.valLoss));
  const series = (f: (p: CurvePoint) => number | null) =>
    run.curve.map((p) => {
      const v = f(p);
      return [sx(p.epoch + 1), v === null ? null : sy(v)] as const;
    });
  out.push(
    seriesPath(
      series((p) => p.loss / trainMax),
      BLUE,
      true,
    ),
  );
  out.push(
    seriesPath(
      series((p) => (p.valLoss === null ? null : p.valLoss / valMax)),
      RED,
      true,
    ),
  );
  out.push(
    seriesPath(
      series((p) => p.accuracy),
      BLUE,
      false,
    ),
  );
  out.push(
    seriesPath(
      series((p) => p.valAccuracy),
      RED,
      false,
    ),
  );
  const speed = run.imagesPerSecond === null ? '' : ` (${run.imagesPerSecond.toFixed(0)} img/s)`;
  const secs = Number.isFinite(run.trainSeconds)
    ? `, ${run.trainSeconds.toFixed(0)} s${speed}`
    : '';
  const label = `well acc ${pct(run.wellAccuracy)}, after assignment ${pct(run.wellAccuracyAssigned)}${secs}`;
  // Between the panel title and the plot, so it never hides a curve near 1.0.
  out.push(text(mid, PLOT_TOP - 12, label, 11.5, 'text-anchor="middle" fill="#444"'));
  return out.join('\n');
}

function legend(width: number, height: number): string {
  const items: [string, string, boolean][] = [
    ['train accuracy (sites)', BLUE, false],
    ['validation accuracy (sites)', RED, false],
    ['train loss / its max', BLUE, true],
    ['validation loss / its max', RED, true],
  ];
  const size = 12;
  const gap = 26;
  const widths = items.map(([s]) => 30 + textWidth(s, size));
  let x = (width - (widths.reduce((a, b) => a + b, 0) + gap * (items.length - 1))) / 2;
  const y = height - 14;
  const out: string[] = [];
  items.forEach(([s, color, dashed], i) => {
    const dash = dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<line x1="${x}" y1="${y - 4}" x2="${x + 24}" y2="${y - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
    );
    out.push(text(x + 30, y, s, size));
    x += widths[i]! + gap;
  });
  return out.join('\n');
}

/**
 * The whole figure as an SVG document: BASE_WIDTH (or PANEL_MIN_WIDTH per panel, if wider) ×
 * BASE_HEIGHT user units, plus a line for the baselines when the report has them.
 */
export function buildAccuracySvg(r: AccuracyReport): string {
  const width = Math.max(BASE_WIDTH, PANEL_MIN_WIDTH * r.runs.length);
  const height = BASE_HEIGHT + (r.baselineNote ? NOTE_HEIGHT : 0);
  const cpus = Number.isFinite(r.cpus) ? `, ${r.cpus}-core machine` : '';
  const mode = r.mode === 'full' ? '' : ` (${r.mode} run)`;
  // Panels that differ only in normalisation are titled by it; the shared split goes in the title.
  const byNorm =
    r.runs.length > 1 &&
    new Set(r.runs.map((x) => x.split.strategy)).size === 1 &&
    new Set(r.runs.map((x) => x.normalization)).size === r.runs.length;
  const split = byNorm ? `; ${splitTitle({ ...r.runs[0]!, valWells: NaN }, r.preset)}` : '';
  const title = `PlateLab ${r.preset} preset, CPU defaults (${r.arch}, ${backendSummary(r)}${cpus}): per-epoch curves${mode}${split}`;
  const panelW = width / r.runs.length;
  const panels = r.runs.map((run, i) =>
    panel(run, r.preset, i * panelW + 52, (i + 1) * panelW - 22, byNorm),
  );
  // Above the legend, its font shrunk to fit the width.
  const note = r.baselineNote
    ? [
        text(
          width / 2,
          BASE_HEIGHT - 14,
          r.baselineNote,
          Math.min(12, (width - 24) / (r.baselineNote.length * 0.53)),
          'text-anchor="middle" fill="#444"',
        ),
      ]
    : [];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" fill="#111">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(width / 2, 22, title, 15, 'text-anchor="middle"'),
    ...panels,
    ...note,
    legend(width, height),
    '</svg>',
  ].join('\n');
}

/** Reads the benchmark JSON and writes the PNG atomically at `scale`× the SVG size. */
export async function plotAccuracy(inFile: string, outFile: string, scale = 2): Promise<void> {
  let textIn: string;
  try {
    textIn = fs.readFileSync(inFile, 'utf8');
  } catch (e) {
    throw new Error(`cannot read accuracy report ${inFile}: ${(e as Error).message}`);
  }
  const svg = buildAccuracySvg(parseAccuracyReport(textIn, inFile));
  const png = await sharp(Buffer.from(svg), { density: 72 * scale })
    .png()
    .toBuffer();
  await writeFileAtomic(outFile, png);
}

/**
 * Saves a benchmark result as `<stem>.json` and redraws `<stem>.png` from that file (both written
 * atomically; the folder is created). Throws, naming the file, when the result has no curves.
 */
export async function saveAccuracyReport(result: unknown, stem: string): Promise<void> {
  const jsonFile = `${stem}.json`;
  await writeFileAtomic(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  await plotAccuracy(jsonFile, `${stem}.png`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [inFile, outFile] = process.argv.slice(2);
  if (!inFile || !outFile) {
    console.error('usage: node bin/run-ts.js bench/plot-accuracy.ts REPORT.json OUT.png');
    process.exit(1);
  }
  try {
    await plotAccuracy(inFile, outFile);
    console.error(`[plot-accuracy] wrote ${outFile}`);
  } catch (e) {
    console.error(`[plot-accuracy] ${(e as Error).message}`);
    process.exit(1);
  }
}
