// Builds the decode-scaling pack with a one-site real-PNG sample and runs its bundle under the
// packed node from a copy of the folder alone (no node on PATH, no node_modules above it).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACK_LIMIT_BYTES, type PackResult } from './core';
import { buildImagesScalingPack } from './images-scaling';

const canRun = process.platform === 'linux' && process.arch === 'x64';
if (!canRun) console.warn('images-scaling pack test skipped: builds on linux-x64 only');

describe.skipIf(!canRun)('images-scaling bench pack', () => {
  let tmp: string;
  let pack: PackResult;
  let copy: string;
  let node: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-imgpack-test-'));
    // One complete 6-channel site of real 8-bit PNGs, in the RxRx1 layout.
    const plate = path.join(tmp, 'sample', 'train', 'HUVEC-01', 'Plate1');
    fs.mkdirSync(plate, { recursive: true });
    for (let w = 1; w <= 6; w++) {
      const px = Buffer.alloc(48 * 48, 0);
      for (let i = 0; i < px.length; i++) px[i] = (i * 7 + w * 31) % 256;
      await sharp(px, { raw: { width: 48, height: 48, channels: 1 } })
        .png()
        .toFile(path.join(plate, `B02_s1_w${w}.png`));
    }
    pack = await buildImagesScalingPack({
      outDir: path.join(tmp, 'built'),
      sampleDir: path.join(tmp, 'sample'),
      log: () => {},
    });
    // Only the packed folder travels: run a copy, with the node unpacked from its node.xz.
    copy = path.join(tmp, 'copy');
    fs.cpSync(pack.outDir, copy, { recursive: true });
    node = path.join(tmp, 'node');
    execFileSync('sh', ['-c', 'xz -dc "$1" > "$2"', 'sh', path.join(copy, 'node.xz'), node]);
    fs.chmodSync(node, 0o755);
  }, 300_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** bench.mjs under the packed node, in pack/, with a PATH that has no node. */
  const bench = (args: string[]) =>
    spawnSync(node, ['bench.mjs', ...args], {
      cwd: path.join(copy, 'pack'),
      encoding: 'utf8',
      timeout: 100_000,
      env: { PATH: '/usr/bin:/bin', HOME: tmp, TMPDIR: tmp },
    });

  it('holds the bundles, sharp with its linux-x64 libvips, node.xz, the sample and run.sh', () => {
    expect(Object.keys(pack.files).sort()).toEqual([
      'MANIFEST.json',
      'node.xz',
      'pack',
      'run.sh',
      'rxrx1',
    ]);
    expect(pack.totalBytes).toBeLessThanOrEqual(PACK_LIMIT_BYTES);
    expect(pack.files['node.xz']).toBeGreaterThan(15 * 2 ** 20);
    for (const f of [
      'pack/bench.mjs',
      'pack/pipeline-worker.js',
      'pack/node_modules/sharp/package.json',
      'pack/node_modules/@img/sharp-linux-x64/package.json',
      'pack/node_modules/@img/sharp-libvips-linux-x64/package.json',
      'rxrx1/train/HUVEC-01/Plate1/B02_s1_w6.png',
    ])
      expect(fs.existsSync(path.join(copy, f)), f).toBe(true);
    expect(fs.statSync(path.join(copy, 'run.sh')).mode & 0o111).not.toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'MANIFEST.json'), 'utf8')) as {
      node: string;
      packages: Record<string, string>;
    };
    expect(manifest.node).toBe(process.version);
    expect(manifest.packages.sharp).toBe(sharp.versions.sharp);
    // sharp's prebuilt binaries for other platforms are not installed, so not packed.
    expect(Object.keys(manifest.packages).filter((p) => /darwin|win32|arm/.test(p))).toEqual([]);
  });

  it('measures decode scaling on the packed sample under the packed node', () => {
    const r = bench(['--size', '32', '--workers', '1', '--data-dir', '../rxrx1']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      machine: { node: string; sharp: string };
      dataset: { distinctSites: number; imagePx: number };
      rows: { workers: number; pipelineSitesPerSecond: number; rawDecodeSitesPerSecond: number }[];
    };
    expect(result.machine.node).toBe(process.version);
    expect(result.dataset).toMatchObject({ distinctSites: 1, imagePx: 48 });
    expect(result.rows.map((row) => row.workers)).toEqual([1, 2]);
    for (const row of result.rows) {
      expect(row.pipelineSitesPerSecond).toBeGreaterThan(0);
      expect(row.rawDecodeSitesPerSecond).toBeGreaterThan(0);
    }
  }, 120_000);

  it('renders its synthetic sites (the bundled generator) when given no data', () => {
    const r = bench(['--size', '32', '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { dataset: { source: string; imagePx: number } };
    expect(result.dataset.source).toMatch(/^synth tiny/);
    expect(result.dataset.imagePx).toBe(32);
  }, 120_000);

  it('refuses a sample folder without train/ or test/, naming it', async () => {
    await expect(
      buildImagesScalingPack({
        outDir: path.join(tmp, 'bad'),
        sampleDir: path.join(tmp, 'copy', 'pack'),
        log: () => {},
      }),
    ).rejects.toThrow(/--sample .*copy\/pack has no train\/ or test\//);
  });
});
