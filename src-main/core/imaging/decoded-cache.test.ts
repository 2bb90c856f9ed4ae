// The decoded-site cache: first read decodes and stores, later reads come from the file by offset,
// a changed source re-decodes, the index survives reopening, another resolution starts afresh.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteKey } from '../dataset/layout';
import { DecodedSiteCache, siteDigest } from './decoded-cache';
import { fixturePlane, writeFixtureSites, writePlanePng, type FixtureSite } from './fixtures';
import { loadRawSite } from './load-site';

let root: string;
let sites: FixtureSite[];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'imaging-cache-'));
  const refs = ['B02', 'B03', 'B04'].map((well) => ({
    split: 'train' as const,
    experiment: 'RPE-01',
    plate: 1,
    well,
    site: 1,
  }));
  sites = await writeFixtureSites(path.join(root, 'data'), refs, { size: 40 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('DecodedSiteCache', () => {
  it('decodes on the first pass and reads the same bytes by offset afterwards', async () => {
    const file = path.join(root, 'c1', 'decoded-32.bin');
    const data = path.join(root, 'data');
    const cache = DecodedSiteCache.open(file, 32);
    const first = [];
    for (const s of sites) first.push(await cache.get(data, siteKey(s), s.relPaths));
    expect(cache.stats).toEqual({ hits: 0, misses: 3, stale: 0 });
    expect(fs.statSync(file).size).toBe(3 * 32 * 32 * 6);
    const expected = await loadRawSite(data, sites[1]!.relPaths, { size: 32 });
    expect(Buffer.from(first[1]!.data).equals(Buffer.from(expected.data))).toBe(true);
    cache.close();

    const reopened = DecodedSiteCache.open(file, 32);
    expect(reopened.size).toBe(3);
    for (let i = 0; i < 3; i++) {
      const s = sites[i]!;
      const got = await reopened.get(data, siteKey(s), s.relPaths);
      expect(Buffer.from(got.data).equals(Buffer.from(first[i]!.data))).toBe(true);
    }
    expect(reopened.stats).toEqual({ hits: 3, misses: 0, stale: 0 });
    // Reads are by offset: the cache file is read one site at a time.
    const offset = reopened.lookup(siteKey(sites[2]!), siteDigest(data, sites[2]!.relPaths))!;
    expect(offset).toBe(2 * 32 * 32 * 6);
    reopened.close();
  });

  it('re-decodes a site whose source changed and keeps the others', async () => {
    const file = path.join(root, 'c2', 'decoded-40.bin');
    const data = path.join(root, 'data');
    const cache = DecodedSiteCache.open(file, 40);
    for (const s of sites) await cache.get(data, siteKey(s), s.relPaths);
    cache.close();
    const changed = path.join(data, sites[0]!.relPaths[4]!);
    await writePlanePng(changed, fixturePlane(40, 4242), 40);
    fs.utimesSync(changed, new Date(), new Date(Date.now() + 10_000));

    const c2 = DecodedSiteCache.open(file, 40);
    const got = await c2.get(data, siteKey(sites[0]!), sites[0]!.relPaths);
    await c2.get(data, siteKey(sites[1]!), sites[1]!.relPaths);
    expect(c2.stats).toEqual({ hits: 1, misses: 1, stale: 1 });
    const plane = fixturePlane(40, 4242);
    for (let i = 0; i < 40 * 40; i += 7) expect(got.data[i * 6 + 4]).toBe(plane[i]);
    c2.close();
  });

  it('starts afresh for another resolution or an unreadable index, and rejects wrong-sized puts', async () => {
    const file = path.join(root, 'c3', 'decoded.bin');
    const data = path.join(root, 'data');
    const a = DecodedSiteCache.open(file, 16);
    await a.get(data, siteKey(sites[0]!), sites[0]!.relPaths);
    expect(() => a.put('x', 'd', new Uint8Array(10))).toThrow(/10 bytes/);
    a.close();
    const b = DecodedSiteCache.open(file, 20);
    expect(b.size).toBe(0);
    expect(fs.statSync(file).size).toBe(0);
    await b.get(data, siteKey(sites[0]!), sites[0]!.relPaths);
    b.close();
    fs.writeFileSync(`${file}.index.json`, '{broken');
    const c = DecodedSiteCache.open(file, 20);
    expect(c.size).toBe(0);
    c.close();
  });
});
