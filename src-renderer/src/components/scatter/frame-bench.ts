// In-browser driver of the `ui` bench (bench/ui.ts bundles this file into a bare page; the app never
// imports it): pans and zooms N embedding-like points frame by frame through the scatter's own
// drawScatter, and the same frames as canvas arcs (one path per colour; fillStyle + arc + fill per
// point) and empty.
import { CATEGORICAL, css } from '../../../../src-shared/colormaps';
import { bucketByGroup, drawScatter } from './draw';
import { boundsOf, fitView, panBy, zoomAt, type View } from './view';

export type FrameMode = 'scatter' | 'paths' | 'naive' | 'empty';

export interface FrameTimes {
  mode: FrameMode;
  /** Per frame: ms from the first draw call until the canvas is rasterised (a 1-px read-back). */
  drawMs: number[];
  /** Per frame: ms between consecutive requestAnimationFrame callbacks. */
  intervalMs: number[];
  /** Points drawn in the last frame (on the canvas). */
  drawn: number;
}

/** The app's categorical palette, as the embedding screen colours groups. */
const PALETTE = CATEGORICAL;
const CSS = PALETTE.map(css);

/** `n` points in `groups` Gaussian blobs (Box–Muller, fixed seed), like a UMAP of wells. */
export function embeddingLike(n: number, groups: number, seed = 1) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: groups }, () => [rand() * 20, rand() * 20] as const);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const g = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    g[i] = i % groups;
    xs[i] = centres[g[i]!]![0] + gauss() * 1.5;
    ys[i] = centres[g[i]!]![1] + gauss() * 1.5;
  }
  return { xs, ys, groups: g };
}

/** The view of frame f: a slow pan in a circle while zooming in and out (×1 … ×4). */
function viewAt(base: View, f: number, width: number, height: number): View {
  const zoom = 1 + 1.5 * (1 - Math.cos((f / 60) * Math.PI));
  const z = zoomAt(base, width / 2, height / 2, zoom);
  return panBy(z, Math.cos(f / 20) * 120, Math.sin(f / 20) * 80);
}

/**
 * Draws `frames` animation frames of `n` points into `canvas` (CSS size width×height, backing store
 * ×dpr) in `mode`, one frame per requestAnimationFrame, and returns the per-frame times.
 */
export async function runFrames(
  canvas: HTMLCanvasElement,
  opts: { mode: FrameMode; n: number; frames: number; width: number; height: number; dpr: number },
): Promise<FrameTimes> {
  const { mode, n, frames, width, height, dpr } = opts;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  const pts = embeddingLike(n, PALETTE.length);
  const buckets = bucketByGroup(pts.groups, PALETTE.length);
  const base = fitView(boundsOf(pts.xs, pts.ys), width, height);
  const drawMs: number[] = [];
  const intervalMs: number[] = [];
  let drawn = 0;
  let last = -1;
  const frame = (f: number) => {
    const view = viewAt(base, f, width, height);
    const t0 = performance.now();
    if (mode === 'scatter') {
      drawn = drawScatter(ctx, {
        ...pts,
        buckets,
        colors: PALETTE,
        view,
        width,
        height,
        dpr,
        radius: 3,
      });
    } else {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      drawn = 0;
      if (mode === 'paths') {
        // One canvas path of arcs per colour: the usual batched way.
        for (let g = 0; g < buckets.length; g++) {
          const b = buckets[g]!;
          ctx.fillStyle = CSS[g]!;
          ctx.beginPath();
          for (let j = 0; j < b.length; j++) {
            const i = b[j]!;
            const sx = pts.xs[i]! * view.k + view.tx;
            const sy = -pts.ys[i]! * view.k + view.ty;
            if (sx < -3 || sy < -3 || sx > width + 3 || sy > height + 3) continue;
            ctx.moveTo(sx + 3, sy);
            ctx.arc(sx, sy, 3, 0, Math.PI * 2);
            drawn++;
          }
          ctx.fill();
        }
      } else if (mode === 'naive') {
        for (let i = 0; i < n; i++) {
          ctx.fillStyle = CSS[pts.groups[i]!]!;
          ctx.beginPath();
          ctx.arc(pts.xs[i]! * view.k + view.tx, -pts.ys[i]! * view.k + view.ty, 3, 0, Math.PI * 2);
          ctx.fill();
          drawn++;
        }
      }
    }
    // Canvas commands are deferred; reading one pixel back waits until they are rasterised.
    ctx.getImageData(0, 0, 1, 1);
    drawMs.push(performance.now() - t0);
  };
  await new Promise<void>((resolve) => {
    let f = 0;
    const tick = (now: number) => {
      if (last >= 0) intervalMs.push(now - last);
      last = now;
      frame(f++);
      if (f < frames) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  return { mode, drawMs, intervalMs, drawn };
}
