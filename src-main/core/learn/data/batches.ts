// Assembles float batches from decoded sites on the calling thread (prediction, TTA and step tests):
// random crop + D4 + jitter for training (all draws from a per-step seeded stream), centre crop with
// an optional fixed D4 element for evaluation. Normalises exactly as the training pipeline does.
import type { ChannelStats } from '../../imaging/normalize';
import { siteStats } from '../../imaging/stats-fallback';
import { writeSample } from '../../imaging/pipeline/batch-builder';
import type { SamplePlan } from '../../imaging/pipeline/types';
import type { SeededRng } from '../util/rng';
import type { SiteNormalization } from './normalization';
import type { SiteImageCache } from './site-images';

export interface Sample {
  key: string;
  relPaths: string[];
  /** Class index, or -1 when unknown (test wells). */
  label: number;
  cellType: number;
  /** Needed for 'per-experiment' / 'per-plate-controls' normalisation. */
  experiment?: string;
  plate?: number;
}

export interface Batch {
  x: Float32Array;
  y: Int32Array;
  cellType: Int32Array;
  n: number;
  size: number;
  keys: string[];
}

export interface AugmentOptions {
  d4: boolean;
  intensityJitter: number;
}

export class BatchSource {
  constructor(
    private readonly cache: SiteImageCache,
    readonly samples: Sample[],
    private readonly imageSize: number,
    private readonly cropSize: number,
    /** Default 'per-image', the site's own stats (as the pipeline does it). */
    private readonly norm: SiteNormalization = { mode: 'per-image', stats: {} },
  ) {}

  private alloc(n: number): Batch {
    const s = this.cropSize;
    return {
      x: new Float32Array(n * s * s * 6),
      y: new Int32Array(n),
      cellType: new Int32Array(n),
      n,
      size: s,
      keys: [],
    };
  }

  private statsFor(smp: Sample, data: Uint8Array): ChannelStats | null {
    const site = { experiment: smp.experiment ?? '', plate: smp.plate ?? 0, key: smp.key };
    return siteStats(this.norm.mode, this.norm.stats, site, data);
  }

  private async fill(indices: number[], plans: SamplePlan[]): Promise<Batch> {
    const sites = await Promise.all(
      indices.map((i) => this.cache.get(this.samples[i]!.key, this.samples[i]!.relPaths)),
    );
    const b = this.alloc(indices.length);
    const S = this.cropSize;
    const per = S * S * 6;
    indices.forEach((idx, j) => {
      const smp = this.samples[idx]!;
      const raw = { width: this.imageSize, height: this.imageSize, data: sites[j]!.data };
      writeSample(
        raw,
        this.statsFor(smp, raw.data),
        plans[j]!,
        S,
        b.x.subarray(j * per, (j + 1) * per),
      );
      b.y[j] = smp.label;
      b.cellType[j] = smp.cellType;
      b.keys.push(smp.key);
    });
    return b;
  }

  async trainBatch(indices: number[], rng: SeededRng, aug: AugmentOptions): Promise<Batch> {
    // Draw every random number before any await so the stream never depends on decode timing.
    const margin = this.imageSize - this.cropSize;
    const plans = indices.map((index) => {
      const y0 = rng.int(margin + 1);
      const x0 = rng.int(margin + 1);
      const d4 = aug.d4 ? rng.int(8) : 0;
      const scale =
        aug.intensityJitter > 0
          ? Array.from({ length: 6 }, () => Math.max(0.1, 1 + aug.intensityJitter * rng.normal()))
          : [1, 1, 1, 1, 1, 1];
      return { index, x0, y0, d4, scale, shift: [0, 0, 0, 0, 0, 0] };
    });
    return this.fill(indices, plans);
  }

  async evalBatch(indices: number[], d4 = 0): Promise<Batch> {
    const off = Math.floor((this.imageSize - this.cropSize) / 2);
    const plans = indices.map((index) => ({
      index,
      x0: off,
      y0: off,
      d4,
      scale: [1, 1, 1, 1, 1, 1],
      shift: [0, 0, 0, 0, 0, 0],
    }));
    return this.fill(indices, plans);
  }
}

/** Index chunks of at most `size`. */
export function chunks(n: number, size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i += size)
    out.push(Array.from({ length: Math.min(size, n - i) }, (_, j) => i + j));
  return out;
}
