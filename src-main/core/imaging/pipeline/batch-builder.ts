// Builds one batch from its plan: loads sites (decoded-site cache or PNGs), normalises, crops,
// applies the D4 transform and intensity jitter in a single pass per sample. Runs in the
// pipeline's worker thread (or in-process for tests and debugging).
import { PlateLabError } from '../../errors';
import { DecodedSiteCache, siteDigest } from '../decoded-cache';
import { loadRawSite, type RawSite } from '../load-site';
import { MIN_STD, type ChannelStats } from '../normalize';
import { siteStats } from '../stats-fallback';
import { d4Steps } from './d4';
import type { Batch, BatchPlan, BuilderConfig, PipelineSample, SamplePlan } from './types';

const CH = 6;

export class BatchBuilder {
  private cache: DecodedSiteCache | null;
  private digests = new Map<number, string>();

  constructor(readonly config: BuilderConfig) {
    if (config.cropSize > config.resolution) {
      throw new PlateLabError(
        'VALIDATION',
        `crop ${config.cropSize} is larger than the resolution ${config.resolution}`,
      );
    }
    this.cache = config.cacheFile
      ? DecodedSiteCache.open(config.cacheFile, config.resolution)
      : null;
  }

  get cacheStats(): { hits: number; misses: number } {
    return { hits: this.cache?.stats.hits ?? 0, misses: this.cache?.stats.misses ?? 0 };
  }

  private async site(index: number): Promise<RawSite> {
    const s = this.config.samples[index];
    if (!s) throw new PlateLabError('VALIDATION', `sample ${index} does not exist`);
    if (!this.cache)
      return loadRawSite(this.config.root, s.relPaths, { size: this.config.resolution });
    // Source digests are taken once per stream: later epochs then cost one read per site.
    let digest = this.digests.get(index);
    if (!digest) {
      digest = siteDigest(this.config.root, s.relPaths);
      this.digests.set(index, digest);
    }
    return this.cache.get(this.config.root, s.siteKey, s.relPaths, digest);
  }

  private statsFor(s: PipelineSample, raw: RawSite): ChannelStats | null {
    return siteStats(
      this.config.normalization,
      this.config.stats,
      { ...s, key: s.siteKey },
      raw.data,
    );
  }

  async build(plan: BatchPlan): Promise<Batch> {
    const { cropSize: S } = this.config;
    const n = plan.samples.length;
    const x = new Float32Array(n * S * S * CH);
    const y = new Int32Array(n);
    const keys: string[] = new Array<string>(n);
    const limit = this.config.concurrency ?? 4;
    let next = 0;
    const work = async (): Promise<void> => {
      while (next < n) {
        const k = next++;
        const p = plan.samples[k]!;
        const sample = this.config.samples[p.index]!;
        const raw = await this.site(p.index);
        writeSample(
          raw,
          this.statsFor(sample, raw),
          p,
          S,
          x.subarray(k * S * S * CH, (k + 1) * S * S * CH),
        );
        y[k] = sample.label;
        keys[k] = sample.siteKey;
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, n) }, work));
    return { x, y, n, size: S, keys, epoch: plan.epoch, index: plan.id };
  }

  close(): void {
    this.cache?.close();
    this.cache = null;
  }
}

/**
 * Crop (x0, y0, S×S) of the site → D4 transform → ((v − mean)/std)·scale + shift, per channel,
 * through one 256-entry lookup table per channel. 'none' (stats null) maps v to v/255.
 */
export function writeSample(
  raw: RawSite,
  stats: ChannelStats | null,
  p: SamplePlan,
  S: number,
  out: Float32Array,
): void {
  if (p.x0 < 0 || p.y0 < 0 || p.x0 + S > raw.width || p.y0 + S > raw.height) {
    throw new PlateLabError(
      'VALIDATION',
      `crop ${p.x0},${p.y0}+${S} is outside the ${raw.width}×${raw.height} site`,
    );
  }
  const lut = new Float32Array(CH * 256);
  for (let c = 0; c < CH; c++) {
    const mean = stats ? stats.mean[c]! : 0;
    const inv = stats ? 1 / Math.max(stats.std[c]!, MIN_STD) : 1 / 255;
    const sc = p.scale[c] ?? 1;
    const sh = p.shift[c] ?? 0;
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v - mean) * inv * sc + sh;
  }
  const { base, perY, perX } = d4Steps(p.d4, S);
  const src = raw.data;
  const rowBytes = raw.width * CH;
  for (let yy = 0; yy < S; yy++) {
    let s = (p.y0 + yy) * rowBytes + p.x0 * CH;
    let d = (base + yy * perY) * CH;
    const step = perX * CH;
    for (let xx = 0; xx < S; xx++, s += CH, d += step) {
      out[d] = lut[src[s]!]!;
      out[d + 1] = lut[256 + src[s + 1]!]!;
      out[d + 2] = lut[512 + src[s + 2]!]!;
      out[d + 3] = lut[768 + src[s + 3]!]!;
      out[d + 4] = lut[1024 + src[s + 4]!]!;
      out[d + 5] = lut[1280 + src[s + 5]!]!;
    }
  }
}
