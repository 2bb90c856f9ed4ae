// The decoded-site cache: first read decodes and stores, later reads come from the file by offset,
// a changed source re-decodes, the index survives reopening, another resolution starts afresh;
// the disk budget: LRU eviction, totals within the budget, refusals for a tiny budget or full disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteKey } from '../dataset/layout';
import { DecodedSiteCache, siteDigest } from './decoded-cache';
import {
  fixturePlane,
  writeFixtureSites,
  writePlanePng,
  type FixtureSite,
} from '../../../test-support/imaging/fixtures';
import { loadRawSite } from './load-site';

let root: string;
let sites: FixtureSite[];
/** Eight more sites for the budget tests. */
let many: FixtureSite[];

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
  const more = ['C02', 'C03', 'C04', 'C05', 'D02', 'D03', 'D04', 'D05'].map((well) => ({
    ...refs[0]!,
    well,
  }));
  many = await writeFixtureSites(path.join(root, 'data'), more, { size: 40 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('DecodedSiteCache', () => {
  it('decodes on the first pass and reads the same bytes by offset afterwards', async () => {
    const file = path.join(root, 'c1', 'decoded-32.bin');
    const data = path.join(root, 'data');
    const cache = DecodedSiteCache.open(file, 32);
    const first = [];
    for (const s of sites) first.push(await cache.get(data, siteKey(s), s.relPaths));
    expect(cache.stats).toEqual({ hits: 0, misses: 3, stale: 0, evicted: 0 });
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
    expect(reopened.stats).toEqual({ hits: 3, misses: 0, stale: 0, evicted: 0 });
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
    expect(c2.stats).toEqual({ hits: 1, misses: 1, stale: 1, evicted: 0 });
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

describe('DecodedSiteCache disk budget', () => {
  const R = 16;
  const SITE = R * R * 6;
  const data = (): string => path.join(root, 'data');
  const fresh = async (s: FixtureSite) => (await loadRawSite(data(), s.relPaths, { size: R })).data;
  const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

  it('evicts the least recently used sites, stays within the budget and keeps reads correct', async () => {
    const file = path.join(root, 'b1', 'decoded.bin');
    const budgetBytes = 3 * SITE + SITE / 2; // room for 3 sites
    const cache = DecodedSiteCache.open(file, R, { budgetBytes });
    expect(cache.capacity).toBe(3);
    const [a, b, c, d] = many as [FixtureSite, FixtureSite, FixtureSite, FixtureSite];
    for (const s of [a, b, c]) await cache.get(data(), siteKey(s), s.relPaths);
    await cache.get(data(), siteKey(a), a.relPaths); // a is now the most recently used
    expect(cache.keys()).toEqual([b, c, a].map(siteKey));
    await cache.get(data(), siteKey(d), d.relPaths); // evicts b, the least recently used
    expect(cache.keys()).toEqual([c, a, d].map(siteKey));
    expect(cache.stats).toEqual({ hits: 1, misses: 4, stale: 0, evicted: 1 });
    expect(fs.statSync(file).size).toBeLessThanOrEqual(budgetBytes);

    // Many passes in a scrambled order: every read is right, the file never passes the budget.
    const order = [5, 0, 7, 2, 2, 6, 1, 4, 3, 0, 5, 7, 1, 6, 3, 4, 0, 0, 2];
    for (const i of order) {
      const s = many[i]!;
      const got = await cache.get(data(), siteKey(s), s.relPaths);
      expect(same(got.data, await fresh(s))).toBe(true);
      expect(fs.statSync(file).size).toBeLessThanOrEqual(budgetBytes);
      expect(cache.bytes).toBeLessThanOrEqual(budgetBytes);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.stats.evicted).toBeGreaterThan(5);
    const last3 = [4, 0, 2].map((i) => siteKey(many[i]!));
    expect(cache.keys()).toEqual(last3);
    cache.close();

    // The recency order survives reopening; cached bytes read back right by offset.
    const again = DecodedSiteCache.open(file, R, { budgetBytes });
    expect(again.keys()).toEqual(last3);
    for (const i of [4, 0, 2]) {
      const s = many[i]!;
      const off = again.lookup(siteKey(s), siteDigest(data(), s.relPaths));
      expect(off).not.toBeNull();
      expect(same(again.read(off!), await fresh(s))).toBe(true);
    }
    again.close();
  });

  it('a lowered budget drops the least recently used sites at open and packs the rest', async () => {
    const file = path.join(root, 'b2', 'decoded.bin');
    const big = DecodedSiteCache.open(file, R, { budgetBytes: 8 * SITE });
    for (const s of many) await big.get(data(), siteKey(s), s.relPaths);
    await big.get(data(), siteKey(many[0]!), many[0]!.relPaths); // slot 0 is now the newest
    big.close();
    expect(fs.statSync(file).size).toBe(8 * SITE);

    const small = DecodedSiteCache.open(file, R, { budgetBytes: 2 * SITE });
    expect(small.keys()).toEqual([many[7]!, many[0]!].map(siteKey));
    expect(small.stats.evicted).toBe(6);
    expect(fs.statSync(file).size).toBe(2 * SITE);
    small.close();
    const reopened = DecodedSiteCache.open(file, R, { budgetBytes: 2 * SITE });
    for (const s of [many[7]!, many[0]!]) {
      const got = await reopened.get(data(), siteKey(s), s.relPaths);
      expect(same(got.data, await fresh(s))).toBe(true);
    }
    expect(reopened.stats).toMatchObject({ hits: 2, misses: 0 });
    reopened.close();
  });

  it('refuses a budget smaller than one site, with the sizes and the setting in the message', () => {
    const file = path.join(root, 'b3', 'decoded.bin');
    expect(() => DecodedSiteCache.open(file, 512, { budgetBytes: 1024 ** 2 })).toThrow(
      /one 512×512×6 site needs 1\.5 MiB but the cache budget is 1\.0 MiB; raise the decodedCacheGiB setting/,
    );
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses to start on a nearly full disk, and stops growing when the disk fills up', async () => {
    const file = path.join(root, 'b4', 'decoded.bin');
    const GiB = 1024 ** 3;
    const full = DecodedSiteCache.open(file, R, { freeBytes: () => 1.5 * GiB });
    const err = await full.get(data(), siteKey(many[0]!), many[0]!.relPaths).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /the disk has 1\.5 GiB free, and the cache keeps 2\.0 GiB free, so it cannot hold a single/,
    );
    full.close();
    expect(fs.statSync(file).size).toBe(0);

    // Room for two sites above the reserve, then the disk is full: the cache holds two and rotates.
    let free = 2 * GiB + 2 * SITE;
    const cache = DecodedSiteCache.open(file, R, { freeBytes: () => free });
    for (const s of many.slice(0, 5)) {
      const got = await cache.get(data(), siteKey(s), s.relPaths);
      expect(same(got.data, await fresh(s))).toBe(true);
      free = Math.max(2 * GiB, free - SITE);
    }
    expect(cache.capacity).toBe(2);
    expect(cache.size).toBe(2);
    expect(fs.statSync(file).size).toBe(2 * SITE);
    expect(cache.warning).toMatch(/stopped growing at 2 sites/);
    cache.close();
  });
});
