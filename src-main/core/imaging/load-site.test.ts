// Site loading: 8- and 16-bit PNGs through sharp, channel-last layout, named errors, normalisation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateLabError } from '../errors';
import {
  fixturePlane,
  writeFixtureSites,
  writePlanePng,
} from '../../../test-support/imaging/fixtures';
import { loadRawSite, loadSite, resizeSite } from './load-site';
import { channelStats } from './normalize';

/** The real RxRx1 sample beside the checkout (../shared/rxrx1). */
const RXRX1 = path.resolve(__dirname, '../../../../shared/rxrx1');
let root: string;
const ref = { split: 'train' as const, experiment: 'HUVEC-01', plate: 1, well: 'B02', site: 1 };

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'imaging-load-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('loadRawSite', () => {
  it('interleaves the 6 channels channel-last, pixel for pixel (small and large images)', async () => {
    for (const size of [48, 300]) {
      const [site] = await writeFixtureSites(path.join(root, `s${size}`), [ref], {
        size,
        seed: size,
      });
      const raw = await loadRawSite(path.join(root, `s${size}`), site!.relPaths);
      expect([raw.width, raw.height]).toEqual([size, size]);
      for (let c = 0; c < 6; c++) {
        const plane = await sharp(path.join(root, `s${size}`, site!.relPaths[c]!))
          .toColourspace('b-w')
          .raw()
          .toBuffer();
        let mismatches = 0;
        for (let i = 0; i < size * size; i++) if (raw.data[i * 6 + c] !== plane[i]) mismatches++;
        expect(mismatches).toBe(0);
      }
    }
  });

  it('scales 16-bit PNGs to 0–255 by round(v/257), same bytes as the 8-bit original', async () => {
    const dir16 = path.join(root, 'b16');
    const dir8 = path.join(root, 'b8');
    const [s16] = await writeFixtureSites(dir16, [ref], { size: 40, bitDepth: 16, seed: 3 });
    const raw16 = await loadRawSite(dir16, s16!.relPaths);
    const meta = await sharp(path.join(dir16, s16!.relPaths[0]!)).metadata();
    expect(meta.depth).toBe('ushort');
    for (let c = 0; c < 6; c++) {
      const plane = fixturePlane(40, 3 * 7919 + c * 17 + 1, 16);
      for (let i = 0; i < plane.length; i += 37)
        expect(raw16.data[i * 6 + c]).toBe(Math.round(plane[i]! / 257));
    }
    // An 8-bit image saved as 16-bit (v·257) decodes to the original bytes.
    const p8 = fixturePlane(40, 99, 8) as Uint8Array;
    const p16 = Uint16Array.from(p8, (v) => v * 257);
    const rels = Array.from({ length: 6 }, (_, c) => `train/E-1/Plate1/B02_s1_w${c + 1}.png`);
    for (const rel of rels) {
      await writePlanePng(path.join(dir8, rel), p8, 40);
      await writePlanePng(path.join(dir16, rel), p16, 40);
    }
    const a = await loadRawSite(dir8, rels);
    const b = await loadRawSite(dir16, rels);
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);
  });

  it('names the missing channel file', async () => {
    const dir = path.join(root, 'missing');
    const [site] = await writeFixtureSites(dir, [ref], { size: 32 });
    fs.rmSync(path.join(dir, site!.relPaths[3]!));
    const err = await loadRawSite(dir, site!.relPaths).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlateLabError);
    expect((err as PlateLabError).code).toBe('INVALID_INPUT');
    expect((err as PlateLabError).message).toContain('B02_s1_w4.png');
    expect((err as PlateLabError).message).toContain('missing');
  });

  it('names a corrupt channel file', async () => {
    const dir = path.join(root, 'corrupt');
    const [site] = await writeFixtureSites(dir, [ref], { size: 32 });
    const f = path.join(dir, site!.relPaths[1]!);
    const bytes = fs.readFileSync(f);
    fs.writeFileSync(f, bytes.subarray(0, 60)); // header intact, data cut off
    const err = await loadRawSite(dir, site!.relPaths).catch((e: unknown) => e);
    expect((err as PlateLabError).code).toBe('INVALID_INPUT');
    expect((err as PlateLabError).message).toContain('B02_s1_w2.png');
    fs.writeFileSync(f, 'not a png at all');
    const err2 = await loadRawSite(dir, site!.relPaths).catch((e: unknown) => e);
    expect((err2 as PlateLabError).message).toContain('B02_s1_w2.png');
  });

  it('names a channel whose size differs from channel 1', async () => {
    const dir = path.join(root, 'mismatch');
    const [site] = await writeFixtureSites(dir, [ref], { size: 32 });
    await writePlanePng(path.join(dir, site!.relPaths[5]!), fixturePlane(24, 1), 24);
    const err = await loadRawSite(dir, site!.relPaths).catch((e: unknown) => e);
    expect((err as PlateLabError).message).toMatch(/B02_s1_w6\.png: size 24×24 differs/);
  });

  it('resizes all channels the same way', async () => {
    const dir = path.join(root, 'resize');
    const [site] = await writeFixtureSites(dir, [ref], { size: 64 });
    const raw = await loadRawSite(dir, site!.relPaths, { size: 32 });
    expect([raw.width, raw.height, raw.data.length]).toEqual([32, 32, 32 * 32 * 6]);
    const full = await loadRawSite(dir, site!.relPaths);
    const again = await resizeSite(full, 32, 32);
    expect(Buffer.from(again.data).equals(Buffer.from(raw.data))).toBe(true);
    // Each channel keeps its own content: channel means stay close to the full-size means.
    const a = channelStats(full.data);
    const b = channelStats(raw.data);
    for (let c = 0; c < 6; c++) expect(Math.abs(a.mean[c]! - b.mean[c]!)).toBeLessThan(3);
  });
});

describe('loadSite normalisation', () => {
  it("'per-image' gives every channel mean 0 and std 1", async () => {
    const dir = path.join(root, 'norm');
    const [site] = await writeFixtureSites(dir, [ref], { size: 48 });
    const s = await loadSite(dir, site!.relPaths, { normalization: 'per-image' });
    expect(s.data).toBeInstanceOf(Float32Array);
    for (let c = 0; c < 6; c++) {
      let sum = 0;
      let sq = 0;
      const n = s.width * s.height;
      for (let i = 0; i < n; i++) {
        const v = s.data[i * 6 + c]!;
        sum += v;
        sq += v * v;
      }
      expect(Math.abs(sum / n)).toBeLessThan(1e-3);
      expect(Math.sqrt(sq / n - (sum / n) ** 2)).toBeCloseTo(1, 3);
    }
  });

  it("given stats ('per-experiment') are applied as (v − mean)/std; missing stats are refused", async () => {
    const dir = path.join(root, 'norm2');
    const [site] = await writeFixtureSites(dir, [ref], { size: 16 });
    const raw = await loadRawSite(dir, site!.relPaths);
    const stats = { mean: [10, 20, 30, 40, 50, 60], std: [2, 4, 5, 8, 10, 20] };
    const s = await loadSite(dir, site!.relPaths, { normalization: 'per-experiment', stats });
    for (let i = 0; i < raw.data.length; i += 13) {
      const c = i % 6;
      expect(s.data[i]).toBeCloseTo((raw.data[i]! - stats.mean[c]!) / stats.std[c]!, 5);
    }
    await expect(
      loadSite(dir, site!.relPaths, { normalization: 'per-plate-controls' }),
    ).rejects.toThrow(/needs stats/);
  });

  it('reads a real 512² RxRx1 site (parallel per-channel path)', async () => {
    const rels = Array.from({ length: 6 }, (_, c) => `train/HUVEC-01/Plate1/B02_s1_w${c + 1}.png`);
    const raw = await loadRawSite(RXRX1, rels);
    expect([raw.width, raw.height]).toEqual([512, 512]);
    const w3 = await sharp(path.join(RXRX1, rels[2]!)).toColourspace('b-w').raw().toBuffer();
    for (let i = 0; i < 512 * 512; i += 101) expect(raw.data[i * 6 + 2]).toBe(w3[i]);
  });
});
