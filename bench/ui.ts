// Scatter frame time in real Chromium (playwright-core): panning/zooming 20,000 points with the app's
// drawScatter, as ratios to a naive per-point draw, to arcs batched per colour and to an empty frame
// in the same page. Prints JSON.
// Standalone: node bin/run-ts.js bench/main.ts ui [--points 20000] [--frames 150] [--dpr 1]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchBrowser } from '../e2e/helpers/browser';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DRIVER = path.join(HERE, '../src-renderer/src/components/scatter/frame-bench.ts');

export interface BenchUiOptions {
  /** Points drawn per frame. Default 20,000. */
  points?: number;
  /** Timed frames per mode (after `warmup` untimed ones). Default 150. */
  frames?: number;
  warmup?: number;
  /** Device pixel ratio of the page (2 = a HiDPI screen: 4× the pixels). Default 1. */
  dpr?: number;
  width?: number;
  height?: number;
  /** Rounds; the modes alternate within each round and all frames are pooled. Default 2. */
  rounds?: number;
}

interface FrameTimes {
  mode: 'scatter' | 'paths' | 'naive' | 'empty';
  drawMs: number[];
  intervalMs: number[];
  drawn: number;
}

/** The q-quantile (0–1) of `xs` by linear interpolation between order statistics (R type 7). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (s[Math.min(s.length - 1, lo + 1)]! - s[lo]!) * (h - lo);
}

const r2 = (x: number) => Math.round(x * 100) / 100;

function summary(frames: FrameTimes[]) {
  const draw = frames.flatMap((f) => f.drawMs);
  const interval = frames.flatMap((f) => f.intervalMs);
  return {
    frames: draw.length,
    pointsDrawn: frames.at(-1)?.drawn ?? 0,
    drawMedianMs: r2(quantile(draw, 0.5)),
    drawP95Ms: r2(quantile(draw, 0.95)),
    frameIntervalMedianMs: r2(quantile(interval, 0.5)),
    frameIntervalP95Ms: r2(quantile(interval, 0.95)),
  };
}

/**
 * Frame times of the scatter in headless Chromium (software raster, --disable-gpu as in the e2e
 * tests). Per frame the view pans and zooms, the points are drawn and the canvas is read back (1 px),
 * so `draw*` is the CPU+raster cost of a frame; `frameInterval*` the rAF spacing (16.7 ms at 60 Hz
 * while a frame fits). Ratios: scatter ÷ naive per-point draw, scatter ÷ empty frame.
 */
export async function benchUi(opts: BenchUiOptions = {}) {
  const points = opts.points ?? 20_000;
  const frames = opts.frames ?? 150;
  const warmup = opts.warmup ?? 30;
  const dpr = opts.dpr ?? 1;
  const width = opts.width ?? 1000;
  const height = opts.height ?? 640;
  const rounds = opts.rounds ?? 2;
  const bundle = await build({
    entryPoints: [DRIVER],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'FrameBench',
    platform: 'browser',
    target: 'es2022',
  });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({
      viewport: { width: width + 40, height: height + 40 },
      deviceScaleFactor: dpr,
    });
    const page = await context.newPage();
    await page.setContent('<!doctype html><body style="margin:0"><canvas id="c"></canvas></body>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const measure = async (mode: FrameTimes['mode'], n: number): Promise<FrameTimes> => {
      const cfg = { mode, n, width, height, dpr };
      const res = (await page.evaluate(
        `FrameBench.runFrames(document.getElementById('c'), ${JSON.stringify({ ...cfg, frames: warmup + frames })})`,
      )) as FrameTimes;
      return { ...res, drawMs: res.drawMs.slice(warmup), intervalMs: res.intervalMs.slice(warmup) };
    };
    const got: Record<FrameTimes['mode'], FrameTimes[]> = {
      scatter: [],
      paths: [],
      naive: [],
      empty: [],
    };
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['empty', 'scatter', 'paths', 'naive'] as const)
        got[mode].push(await measure(mode, points));
    }
    const scatter = summary(got.scatter);
    const naive = summary(got.naive);
    const empty = summary(got.empty);
    const paths = summary(got.paths);
    return {
      bench: 'ui',
      what: `pan + zoom of ${points} points (12 colour groups, radius 3 px) on a ${width}×${height} CSS-px canvas, devicePixelRatio ${dpr}`,
      chromium: browser.version(),
      scatter,
      naivePerPoint: naive,
      emptyFrame: empty,
      arcPathPerColour: paths,
      ratios: {
        scatterToNaiveMedian: r2(scatter.drawMedianMs / naive.drawMedianMs),
        scatterToNaiveP95: r2(scatter.drawP95Ms / naive.drawP95Ms),
        scatterToArcPathsMedian: r2(scatter.drawMedianMs / paths.drawMedianMs),
        scatterToEmptyMedian: r2(scatter.drawMedianMs / Math.max(0.01, empty.drawMedianMs)),
      },
      fitsA60HzFrame: scatter.drawP95Ms < 1000 / 60,
    };
  } finally {
    await browser.close();
  }
}
