// Assembles float batches from decoded sites: random crop + D4 + jitter for training (all draws from a
// per-step seeded stream), centre crop with an optional fixed D4 element for evaluation and TTA.
import type { SeededRng } from '../util/rng';
import { writeCrop } from './zz-legacy-augment';
import type { SiteImageCache } from './zz-legacy-site-images';

export interface Sample {
  key: string;
  relPaths: string[];
  /** Class index, or -1 when unknown (test wells). */
  label: number;
  cellType: number;
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

  async trainBatch(indices: number[], rng: SeededRng, aug: AugmentOptions): Promise<Batch> {
    // Draw every random number before any await so the stream never depends on decode timing.
    const margin = this.imageSize - this.cropSize;
    const specs = indices.map(() => ({
      top: rng.int(margin + 1),
      left: rng.int(margin + 1),
      d4: aug.d4 ? rng.int(8) : 0,
      gain:
        aug.intensityJitter > 0
          ? Array.from({ length: 6 }, () => Math.max(0.1, 1 + aug.intensityJitter * rng.normal()))
          : null,
    }));
    const sites = await Promise.all(
      indices.map((i) => this.cache.get(this.samples[i]!.key, this.samples[i]!.relPaths)),
    );
    const b = this.alloc(indices.length);
    const per = this.cropSize * this.cropSize * 6;
    indices.forEach((idx, j) => {
      const smp = this.samples[idx]!;
      writeCrop(
        sites[j]!.data,
        this.imageSize,
        { ...specs[j]!, size: this.cropSize },
        b.x,
        j * per,
      );
      b.y[j] = smp.label;
      b.cellType[j] = smp.cellType;
      b.keys.push(smp.key);
    });
    return b;
  }

  async evalBatch(indices: number[], d4 = 0): Promise<Batch> {
    const off = Math.floor((this.imageSize - this.cropSize) / 2);
    const sites = await Promise.all(
      indices.map((i) => this.cache.get(this.samples[i]!.key, this.samples[i]!.relPaths)),
    );
    const b = this.alloc(indices.length);
    const per = this.cropSize * this.cropSize * 6;
    indices.forEach((idx, j) => {
      const smp = this.samples[idx]!;
      writeCrop(
        sites[j]!.data,
        this.imageSize,
        { top: off, left: off, size: this.cropSize, d4, gain: null },
        b.x,
        j * per,
      );
      b.y[j] = smp.label;
      b.cellType[j] = smp.cellType;
      b.keys.push(smp.key);
    });
    return b;
  }
}

/** Index chunks of at most `size`. */
export function chunks(n: number, size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i += size)
    out.push(Array.from({ length: Math.min(size, n - i) }, (_, j) => i + j));
  return out;
}
