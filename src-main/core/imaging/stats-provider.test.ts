// Normalisation stats from a real SQLite catalog: CSV pixel_stats first, else computed from the
// images and stored (source 'computed'); plate negative controls computed, cached and refreshed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/db';
import {
  insertCatalogSites,
  writeFixtureSites,
  writePlanePng,
} from '../../../test-support/imaging/fixtures';
import { loadRawSite } from './load-site';
import { accumulate, finish, newAccumulator } from './normalize';
import { createStatsProvider } from './stats-provider';

let root: string;
let db: Catalog;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'imaging-stats-'));
  db = openCatalog(path.join(root, 'catalog.db'));
});
afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function plateOf(experiment: string, plate: number, wells: Array<[string, string]>) {
  const refs = wells.map(([well]) => ({
    split: 'train' as const,
    experiment,
    plate,
    well,
    site: 1,
  }));
  const sites = await writeFixtureSites(root, refs, {
    size: 24,
    seed: plate * 31 + experiment.length,
  });
  const withTypes = sites.map((s, i) => ({ ...s, wellType: wells[i]![1] }));
  insertCatalogSites(db, root, withTypes);
  return withTypes;
}

async function pooled(relSets: string[][]) {
  const acc = newAccumulator();
  for (const rels of relSets) accumulate(acc, (await loadRawSite(root, rels)).data);
  return finish(acc);
}

describe('per-experiment stats', () => {
  it('uses pixel_stats rows from the CSV, pooling per-image mean and std', async () => {
    await plateOf('HUVEC-01', 1, [['B02', 'negative_control']]);
    const exp = db.prepare("SELECT id FROM experiments WHERE name = 'HUVEC-01'").get() as {
      id: number;
    };
    const ins = db.prepare(
      "INSERT INTO pixel_stats (experiment_id, plate, well, site, channel, mean, std, source) VALUES (?, 1, 'B02', ?, ?, ?, ?, 'csv')",
    );
    for (let c = 1; c <= 6; c++) {
      ins.run(exp.id, 1, c, 10 * c, 2);
      ins.run(exp.id, 2, c, 10 * c + 4, 2);
    }
    const stats = await createStatsProvider({ root, db }).experiment('HUVEC-01');
    for (let c = 0; c < 6; c++) {
      expect(stats.mean[c]).toBeCloseTo(10 * (c + 1) + 2, 9);
      // Two images, std 2 each, means 4 apart: pooled variance 4 + 4 = 8.
      expect(stats.std[c]).toBeCloseTo(Math.sqrt(8), 9);
    }
    expect(
      db.prepare("SELECT COUNT(*) AS n FROM pixel_stats WHERE source = 'computed'").get(),
    ).toEqual({ n: 0 });
  });

  it('computes from the images when the CSV has none, and stores them as computed', async () => {
    const sites = await plateOf('RPE-02', 1, [
      ['B02', 'negative_control'],
      ['C03', 'treatment'],
      ['D04', 'treatment'],
    ]);
    const expected = await pooled(sites.map((s) => s.relPaths));
    const stats = await createStatsProvider({ root, db }).experiment('RPE-02');
    for (let c = 0; c < 6; c++) {
      expect(stats.mean[c]).toBeCloseTo(expected.mean[c]!, 9);
      expect(stats.std[c]).toBeCloseTo(expected.std[c]!, 9);
    }
    const rows = db
      .prepare(
        "SELECT channel, mean, std FROM pixel_stats WHERE source = 'computed' AND plate IS NULL ORDER BY channel",
      )
      .all() as Array<{ channel: number; mean: number; std: number }>;
    expect(rows.map((r) => r.channel)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows[2]!.mean).toBeCloseTo(expected.mean[2]!, 9);
    // A new provider reads the stored rows instead of decoding: delete the images to prove it.
    for (const s of sites) for (const r of s.relPaths) fs.rmSync(path.join(root, r));
    const again = await createStatsProvider({ root, db }).experiment('RPE-02');
    expect(again.mean[4]).toBeCloseTo(expected.mean[4]!, 9);
  });

  it('refuses an unknown experiment', async () => {
    await expect(createStatsProvider({ root, db }).experiment('NOPE-1')).rejects.toThrow(/NOPE-1/);
  });
});

describe('per-plate-controls stats', () => {
  it("pools the plate's negative-control wells only, caches, and recomputes when an image changes", async () => {
    const sites = await plateOf('U2OS-01', 2, [
      ['B02', 'negative_control'],
      ['C03', 'treatment'],
      ['N20', 'negative_control'],
      ['F07', 'positive_control'],
    ]);
    const controls = sites.filter((s) => s.wellType === 'negative_control');
    const expected = await pooled(controls.map((s) => s.relPaths));
    const everything = await pooled(sites.map((s) => s.relPaths));
    const stats = await createStatsProvider({ root, db }).plateControls('U2OS-01', 2);
    for (let c = 0; c < 6; c++) expect(stats.mean[c]).toBeCloseTo(expected.mean[c]!, 9);
    expect(stats.mean.some((m, c) => Math.abs(m - everything.mean[c]!) > 1e-6)).toBe(true);
    const stored = db
      .prepare("SELECT sites FROM imaging_norm_stats WHERE scope = 'plate-controls'")
      .get();
    expect(stored).toEqual({ sites: 2 });

    // Replace one control image: a new provider sees the new digest and recomputes.
    const rel = controls[0]!.relPaths[0]!;
    await writePlanePng(path.join(root, rel), new Uint8Array(24 * 24).fill(200), 24);
    fs.utimesSync(path.join(root, rel), new Date(), new Date(Date.now() + 5000));
    const fresh = await createStatsProvider({ root, db }).plateControls('U2OS-01', 2);
    const expectedFresh = await pooled(controls.map((s) => s.relPaths));
    expect(fresh.mean[0]).toBeCloseTo(expectedFresh.mean[0]!, 9);
    expect(Math.abs(fresh.mean[0]! - stats.mean[0]!)).toBeGreaterThan(1);
  });

  it('says so when the plate has no negative control', async () => {
    await plateOf('HEPG2-03', 1, [['C03', 'treatment']]);
    const p = createStatsProvider({ root, db });
    await expect(p.plateControls('HEPG2-03', 1)).rejects.toThrow(/no negative-control well/);
    expect(await p.forSite('per-image', { experiment: 'HEPG2-03', plate: 1 })).toBeUndefined();
  });
});
