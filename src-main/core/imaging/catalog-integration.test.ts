// Imaging against the real pieces: the synth 'tiny' dataset, indexed by the catalog indexer, then
// stats (CSV pixel_stats and plate controls), plate sprites from the catalog and auto-contrast.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/db';
import { indexDataset } from '../catalog/indexer';
import { generateSynthDataset } from '../dataset/synth';
import { autoContrastFor } from './auto-contrast';
import { catalogSites } from './catalog-sites';
import { rxrx1DefaultDisplay } from './display';
import { createStatsProvider } from './stats-provider';
import { plateSprite } from './thumbnails';

let dir: string;
let root: string;
let db: Catalog;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imaging-int-'));
  root = path.join(dir, 'data');
  await generateSynthDataset({ preset: 'tiny', outDir: root, experiments: { train: 1, test: 0 } });
  db = openCatalog(path.join(dir, 'catalog.db'));
  await indexDataset({ root, db });
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('imaging on an indexed synthetic dataset', () => {
  it('finds complete sites and stats for every plate', async () => {
    const exp = (
      db.prepare('SELECT name FROM experiments ORDER BY name LIMIT 1').get() as { name: string }
    ).name;
    const sites = catalogSites(db, { experiment: exp });
    expect(sites.length).toBeGreaterThan(0);
    expect(sites.every((s) => s.paths.every((p) => fs.existsSync(path.join(root, p))))).toBe(true);
    const provider = createStatsProvider({ root, db });
    const e = await provider.experiment(exp);
    expect(e.mean).toHaveLength(6);
    expect(e.std.every((s) => s > 0)).toBe(true);
    const ctl = await provider.plateControls(exp, sites[0]!.plate);
    expect(ctl.mean.every((m) => m >= 0 && m <= 255)).toBe(true);
  });

  it('draws the plate sprite from the catalog and auto-contrasts from the plate', async () => {
    const exp = (
      db.prepare('SELECT name FROM experiments ORDER BY name LIMIT 1').get() as { name: string }
    ).name;
    const plate = catalogSites(db, { experiment: exp })[0]!.plate;
    const s = await plateSprite({
      root,
      db,
      experiment: exp,
      plate,
      size: 32,
      display: rxrx1DefaultDisplay(),
      cacheDir: path.join(dir, 'cache'),
    });
    expect(s.wells.length).toBe(catalogSites(db, { experiment: exp, plate, site: 1 }).length);
    expect(fs.statSync(s.file).size).toBeGreaterThan(0);
    const d = await autoContrastFor(
      { source: 'plate', experiment: exp, plate },
      { root, db, base: rxrx1DefaultDisplay() },
    );
    expect(d.channels.every((c) => c.range[1] > c.range[0])).toBe(true);
    expect(d.channels.map((c) => c.range)).not.toEqual(
      rxrx1DefaultDisplay().channels.map((c) => c.range),
    );
    const ctl = await autoContrastFor(
      { source: 'experiment-controls', experiment: exp },
      { root, db, base: rxrx1DefaultDisplay() },
    );
    expect(ctl.channels).toHaveLength(6);
  });
});
