// The desktop bundle is self-sufficient: `electron-vite build` into a temp app folder holding only
// package.json, out/ and the production packages (no src-*, no tsx), then, under plain Node with a
// stand-in for Electron's utilityProcess messaging (process.parentPort), the bundle's own entries
// index a dataset (index worker + scan and pixel-stats workers), train one tiny epoch (training
// child + pipeline worker) and predict (prediction child). Needs no Electron binary.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynthDataset } from '../src-main/core/dataset/synth';
import { ENTRIES } from '../src-main/core/jobs/entries';
import { tinyTrainConfig } from '../test-support/learn/tiny-config';

const root = path.resolve(import.meta.dirname, '..');
/** Installed but never needed by the packaged app (tsx runs only the CLI and dev sources). */
const NOT_SHIPPED = new Set(['tsx', 'electron']);

/**
 * The production packages: `dependencies` (and installed optional ones) of package.json, with
 * theirs, transitively, by top-level node_modules name. Packages that live nested inside another
 * package's own node_modules come along with it.
 */
function productionPackages(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const todo = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})];
  const seen = new Set<string>();
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name) || NOT_SHIPPED.has(name)) continue;
    const dir = path.join(root, 'node_modules', name);
    if (!fs.existsSync(path.join(dir, 'package.json'))) continue; // an optional one not installed
    seen.add(name);
    const p = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    todo.push(...Object.keys({ ...p.dependencies, ...p.optionalDependencies }));
  }
  return [...seen].sort();
}

let tmp: string | null = null;
afterAll(() => {
  if (tmp && !process.env.PLATELAB_KEEP_BUNDLE_TEST)
    fs.rmSync(tmp, { recursive: true, force: true });
});

describe('desktop bundle (electron-vite build) without sources or tsx', () => {
  it('indexes, trains one tiny epoch and predicts with only out/ and the production packages', async () => {
    const t0 = Date.now();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-bundle-'));
    const app = path.join(tmp, 'app');
    const build = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'),
        'build',
        '--outDir',
        path.join(app, 'out'),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(build.status, `electron-vite build failed:\n${build.stderr}`).toBe(0);
    const buildSeconds = (Date.now() - t0) / 1000;
    for (const name of Object.keys(ENTRIES))
      expect(fs.existsSync(path.join(app, 'out/main', `${name}.js`)), name).toBe(true);

    fs.copyFileSync(path.join(root, 'package.json'), path.join(app, 'package.json'));
    fs.copyFileSync(
      path.join(root, 'test-support/jobs/parent-port-standin.mjs'),
      path.join(app, 'parent-port-standin.mjs'),
    );
    fs.copyFileSync(
      path.join(import.meta.dirname, 'bundle/drive-bundle.mjs'),
      path.join(app, 'drive-bundle.mjs'),
    );
    const packages = productionPackages();
    expect(packages).toEqual(
      expect.arrayContaining(['better-sqlite3', 'sharp', '@tensorflow/tfjs']),
    );
    for (const name of packages) {
      const to = path.join(app, 'node_modules', name);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.symlinkSync(path.join(root, 'node_modules', name), to, 'dir');
    }
    // Nothing of the sources came along, and tsx cannot be found from the app folder.
    expect(fs.readdirSync(app).sort()).toEqual([
      'drive-bundle.mjs',
      'node_modules',
      'out',
      'package.json',
      'parent-port-standin.mjs',
    ]);
    expect(() => createRequire(path.join(app, 'package.json')).resolve('tsx')).toThrow();

    const datasetRoot = path.join(tmp, 'data');
    await generateSynthDataset({
      preset: 'tiny',
      outDir: datasetRoot,
      experiments: { train: 1, test: 1 },
      imageSize: 32,
    });
    const job = {
      app,
      datasetRoot,
      dbFile: path.join(tmp, 'catalog.sqlite'),
      runDir: path.join(tmp, 'runs', 'bundle-run'),
      config: tinyTrainConfig({ epochs: 1 }),
    };
    fs.writeFileSync(path.join(tmp, 'job.json'), JSON.stringify(job));
    const t1 = Date.now();
    const run = spawnSync(process.execPath, ['drive-bundle.mjs', path.join(tmp, 'job.json')], {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: tmp, TMPDIR: tmp },
      timeout: 240_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      tsx: string | null;
      steps: {
        index: { value: { platesScanned: number }; threadId: number; progress: number };
        train: {
          value: { status: string; epochsDone: number; error: string | null };
          events: string[];
        };
        predict: { value: { wells: number; accuracy: number | null }; progress: number };
      };
    };
    expect(r.tsx).toBeNull();
    const { index, train, predict } = r.steps;
    expect(index.threadId).toBeGreaterThan(0);
    expect(index.value.platesScanned).toBeGreaterThan(0);
    expect(train.value.status, train.value.error ?? '').toBe('done');
    expect(train.value.epochsDone).toBe(1);
    expect(train.events).toEqual(
      expect.arrayContaining(['started', 'step', 'epoch', 'checkpoint']),
    );
    expect(fs.existsSync(path.join(job.runDir, 'best'))).toBe(true);
    // The pixel-stats worker parsed the dataset's pixel_stats.csv into the catalog.
    const db = new Database(job.dbFile, { readonly: true });
    const csvStats = db
      .prepare(`SELECT count(*) AS n FROM pixel_stats WHERE source = 'csv'`)
      .get() as {
      n: number;
    };
    db.close();
    expect(csvStats.n).toBeGreaterThan(0);
    expect(predict.value.wells).toBeGreaterThan(0);
    expect(predict.progress).toBeGreaterThan(0);
    console.log(
      `desktop bundle: build ${buildSeconds.toFixed(1)} s, index+train+predict ${((Date.now() - t1) / 1000).toFixed(1)} s, ${packages.length} packages`,
    );
  }, 420_000);
});
