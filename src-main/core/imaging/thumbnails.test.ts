// Plate sprites and site PNGs: real PNGs in temp dirs, the grid layout, the on-disk cache and its
// invalidation, and the isInside path-confinement check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../catalog/db';
import { siteRelPaths } from '../dataset/layout';
import { renderComposite, rxrx1DefaultDisplay, toggleChannel } from './display';
import { isInside } from './files';
import { insertCatalogSites, writeFixtureSites } from '../../../test-support/imaging/fixtures';
import { loadRawSite } from './load-site';
import { plateSprite, sitePng, spriteLayout } from './thumbnails';

let root: string;
let cacheDir: string;
const wellsUsed = ['B02', 'B03', 'C02', 'O23', 'H11'];
const refs = wellsUsed.map((well) => ({
  split: 'train' as const,
  experiment: 'HUVEC-01',
  plate: 3,
  well,
  site: 1,
}));

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'imaging-thumbs-'));
  cacheDir = path.join(root, 'cache');
  await writeFixtureSites(path.join(root, 'data'), refs, { size: 32 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const data = (): string => path.join(root, 'data');
const wellsList = () => refs.map((r) => ({ well: r.well, relPaths: siteRelPaths(r) }));

describe('spriteLayout', () => {
  it('uses the 14×22 used block, or the full plate when a well lies on the outer ring', () => {
    const compact = spriteLayout(['B02', 'O23']);
    expect([
      compact.columns,
      compact.rows,
      compact.index('B02'),
      compact.index('B03'),
      compact.index('O23'),
    ]).toEqual([22, 14, 0, 1, 307]);
    const full = spriteLayout(['A01', 'B02']);
    expect([
      full.columns,
      full.rows,
      full.index('A01'),
      full.index('B02'),
      full.index('P24'),
    ]).toEqual([24, 16, 0, 25, 383]);
    expect(() => spriteLayout(['Z99'])).toThrow(/Z99/);
  });
});

describe('plateSprite', () => {
  it('renders each well into its cell with the display state, then serves it from the cache', async () => {
    const display = rxrx1DefaultDisplay();
    const progress: number[] = [];
    const s = await plateSprite({
      root: data(),
      wells: wellsList(),
      experiment: 'HUVEC-01',
      plate: 3,
      size: 16,
      display,
      cacheDir,
      onProgress: (done) => progress.push(done),
    });
    expect(s.cached).toBe(false);
    expect([s.cell, s.columns, s.rows]).toEqual([16, 22, 14]);
    expect(progress.at(-1)).toBe(5);
    expect(isInside(cacheDir, s.file)).toBe(true);
    const { data: png, info } = await sharp(s.file).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([22 * 16, 14 * 16, 3]);
    // The O23 cell equals the composite of that site decoded at 16 px (same pipeline, same bytes).
    const o23 = s.wells.find((w) => w.well === 'O23')!;
    const raw = await loadRawSite(data(), siteRelPaths(refs[3]!), { size: 16 });
    const small = renderComposite(raw.data, 16, 16, display);
    const x0 = (o23.index % 22) * 16;
    const y0 = Math.floor(o23.index / 22) * 16;
    let bad = 0;
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 48; x++)
        if (png[((y0 + y) * 22 * 16 + x0) * 3 + x] !== small[y * 48 + x]) bad++;
    expect(bad).toBe(0);
    // An empty cell (B04) is black; a filled one is not.
    expect(png.subarray(2 * 16 * 3, 3 * 16 * 3).every((v) => v === 0)).toBe(true);
    expect(png.subarray(0, 16 * 3).some((v) => v > 0)).toBe(true);

    const again = await plateSprite({
      root: data(),
      wells: wellsList(),
      experiment: 'HUVEC-01',
      plate: 3,
      size: 16,
      display,
      cacheDir,
    });
    expect(again).toEqual({ ...s, cached: true });
  });

  it('makes a new sprite when the display or a source file changes; old ones age out', async () => {
    const base = {
      root: data(),
      wells: wellsList(),
      experiment: 'HUVEC-01',
      plate: 3,
      size: 16,
      cacheDir,
    };
    const a = await plateSprite({ ...base, display: rxrx1DefaultDisplay() });
    const b = await plateSprite({ ...base, display: toggleChannel(rxrx1DefaultDisplay(), 0) });
    expect(b.cached).toBe(false);
    expect(b.file).not.toBe(a.file);
    // The previous sprite survives a while (a concurrent caller may be serving it)…
    expect(fs.existsSync(a.file)).toBe(true);
    const f = path.join(data(), siteRelPaths(refs[1]!)[2]!);
    fs.utimesSync(f, new Date(), new Date(Date.now() + 60_000));
    const c = await plateSprite({ ...base, display: toggleChannel(rxrx1DefaultDisplay(), 0) });
    expect(c.cached).toBe(false);
    expect(c.file).not.toBe(b.file);
    // …until six newer ones exist for the same plate, site and size.
    for (const gamma of [1.5, 2, 2.5, 3, 3.5]) {
      const d = rxrx1DefaultDisplay();
      await plateSprite({
        ...base,
        display: { channels: d.channels.map((ch) => ({ ...ch, gamma })) },
      });
    }
    expect(fs.existsSync(a.file)).toBe(false);
    expect(fs.readdirSync(path.dirname(a.file)).filter((n) => n.endsWith('.png'))).toHaveLength(6);
  });

  it('lists wells from the catalog and honours cancellation', async () => {
    const db = openCatalog(path.join(root, 'catalog.db'));
    insertCatalogSites(
      db,
      data(),
      refs.map((r) => ({ ...r, relPaths: siteRelPaths(r) })),
    );
    const s = await plateSprite({
      root: data(),
      db,
      experiment: 'HUVEC-01',
      plate: 3,
      size: 8,
      display: rxrx1DefaultDisplay(),
      cacheDir,
    });
    expect(s.wells.map((w) => w.well).sort()).toEqual([...wellsUsed].sort());
    const ac = new AbortController();
    ac.abort();
    await expect(
      plateSprite({
        root: data(),
        db,
        experiment: 'HUVEC-01',
        plate: 3,
        size: 12,
        display: rxrx1DefaultDisplay(),
        cacheDir,
        signal: ac.signal,
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    db.close();
  });
});

describe('sitePng', () => {
  it('encodes the composite (optionally resized) and caches it by sources + display + size', async () => {
    const relPaths = siteRelPaths(refs[0]!);
    const a = await sitePng({ root: data(), relPaths, display: rxrx1DefaultDisplay(), cacheDir });
    expect([a.width, a.height, a.cached]).toEqual([32, 32, false]);
    const decoded = await sharp(a.png).raw().toBuffer();
    const raw = await loadRawSite(data(), relPaths);
    expect(
      Buffer.from(renderComposite(raw.data, 32, 32, rxrx1DefaultDisplay())).equals(decoded),
    ).toBe(true);
    const b = await sitePng({ root: data(), relPaths, display: rxrx1DefaultDisplay(), cacheDir });
    expect(b.cached).toBe(true);
    expect(b.png.equals(a.png)).toBe(true);
    const c = await sitePng({ root: data(), relPaths, display: rxrx1DefaultDisplay(), size: 20 });
    expect([c.width, c.height, c.file]).toEqual([20, 20, undefined]);
    expect((await sharp(c.png).metadata()).width).toBe(20);
  });
});

describe('isInside', () => {
  it('accepts files under the root and refuses .., absolute paths elsewhere and escaping symlinks', () => {
    const base = path.join(root, 'confine');
    fs.mkdirSync(path.join(base, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(base, 'sub', 'a.png'), 'x');
    const outside = path.join(root, 'outside.txt');
    fs.writeFileSync(outside, 'secret');
    fs.symlinkSync(outside, path.join(base, 'sub', 'link.png'));
    fs.symlinkSync(path.join(base, 'sub'), path.join(root, 'alias'));

    expect(isInside(base, 'sub/a.png')).toBe(true);
    expect(isInside(base, path.join(base, 'sub', 'a.png'))).toBe(true);
    expect(isInside(base, 'sub/not-yet.png')).toBe(true);
    expect(isInside(base, 'sub/../sub/a.png')).toBe(true);
    expect(isInside(base, '../outside.txt')).toBe(false);
    expect(isInside(base, 'sub/../../outside.txt')).toBe(false);
    expect(isInside(base, outside)).toBe(false);
    expect(isInside(base, '/etc/passwd')).toBe(false);
    expect(isInside(base, 'sub/link.png')).toBe(false);
    expect(isInside(base, base)).toBe(false);
    expect(isInside(base, 'sub/a.png\0.png')).toBe(false);
    // A root reached through a symlink still contains its own files.
    expect(isInside(path.join(root, 'alias'), path.join(base, 'sub', 'a.png'))).toBe(true);
    expect(isInside(path.join(base, 'sub'), path.join(base, 'sub-other', 'x'))).toBe(false);
  });
});
