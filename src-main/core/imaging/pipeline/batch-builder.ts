// Builds one batch from its plan: loads sites (decoded-site cache slots or PNGs; once per batch even
// when several views of a site are planned), normalises, crops, applies the D4 transform and
// intensity jitter in a single pass per sample. The one builder of training, validation and
// prediction batches; runs in a pipeline worker thread (or in-process for tests and debugging).
import { CHANNELS } from '../../dataset/plate';
import { PlateLabError } from '../../errors';
import { SiteSlots, type CacheTicket } from '../decoded-cache';
import { loadRawSite, type RawSite } from '../load-site';
import { MIN_STD, type ChannelStats } from '../normalize';
import { siteStats } from '../stats-fallback';
import { d4Steps } from './d4';
import type { Batch, BatchPlan, BuilderConfig, PipelineSample, SamplePlan } from './types';

const CH = 6;

export class BatchBuilder {
  private slots: SiteSlots | null;

  constructor(readonly config: BuilderConfig) {
    if (config.cropSize > config.imageSize) {
      throw new PlateLabError(
        'VALIDATION',
        `crop ${config.cropSize} is larger than the image size ${config.imageSize}`,
      );
    }
    const r = config.imageSize;
    this.slots = config.cacheFile ? new SiteSlots(config.cacheFile, r * r * CHANNELS) : null;
  }

  /** A site: read from its cache slot (`hit`), else decoded, and written to the slot (`fill`). */
  private async site(index: number, ticket: CacheTicket | undefined): Promise<RawSite> {
    const s = this.config.samples[index];
    if (!s) throw new PlateLabError('VALIDATION', `sample ${index} does not exist`);
    const r = this.config.imageSize;
    if (this.slots && ticket?.kind === 'hit')
      return { width: r, height: r, data: this.slots.read(ticket.offset) };
    const site = await loadRawSite(this.config.root, s.relPaths, { size: r });
    if (this.slots && ticket?.kind === 'fill') this.slots.write(ticket.offset, site.data);
    return site;
  }

  private statsFor(s: PipelineSample, raw: RawSite): ChannelStats | null {
    return siteStats(
      this.config.normalization,
      this.config.stats,
      { ...s, key: s.siteKey },
      raw.data,
    );
  }

  /**
   * The batch of a plan; `tickets[k]` (from the stream's cache) says how sample k is loaded. A site
   * planned several times (test-time views) is loaded, and its stats computed, once.
   */
  async build(plan: BatchPlan, tickets?: readonly CacheTicket[]): Promise<Batch> {
    const { cropSize: S } = this.config;
    const n = plan.samples.length;
    const x = new Float32Array(n * S * S * CH);
    const y = new Int32Array(n);
    const cellType = new Int32Array(n);
    const keys: string[] = new Array<string>(n);
    const limit = this.config.concurrency ?? 4;
    const loaded = new Map<number, Promise<{ raw: RawSite; stats: ChannelStats | null }>>();
    const load = (k: number, index: number) => {
      let p = loaded.get(index);
      if (!p) {
        p = this.site(index, tickets?.[k]).then((raw) => ({
          raw,
          stats: this.statsFor(this.config.samples[index]!, raw),
        }));
        loaded.set(index, p);
      }
      return p;
    };
    let next = 0;
    const work = async (): Promise<void> => {
      while (next < n) {
        const k = next++;
        const p = plan.samples[k]!;
        const { raw, stats } = await load(k, p.index);
        const sample = this.config.samples[p.index]!;
        writeSample(raw, stats, p, S, x.subarray(k * S * S * CH, (k + 1) * S * S * CH));
        y[k] = sample.label;
        cellType[k] = sample.cellType ?? 0;
        keys[k] = sample.siteKey;
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, n) }, work));
    return { x, y, cellType, n, cropSize: S, keys, epoch: plan.epoch, index: plan.id };
  }

  close(): void {
    this.slots?.close();
    this.slots = null;
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

/** One batch of `samples`' plans built on the calling thread (tests, probes), no decoded cache. */
export async function buildBatch(
  config: Omit<BuilderConfig, 'cacheFile'>,
  samples: SamplePlan[],
): Promise<Batch> {
  const builder = new BatchBuilder(config);
  try {
    return await builder.build({ id: 0, epoch: 0, samples });
  } finally {
    builder.close();
  }
}
