// The app context: data folder choice, settings (atomic, corrupt-tolerant), and the dataset jobs —
// first-start demo generation, reopening the last dataset, refusing concurrent indexing, cancelling.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PlateLabError } from '../errors';
import { AppContext } from './app-context';
import { catalogFileFor, dataLayout, DATA_ENV, resolveDataDir } from './data-dir';
import { demoExists, startOpenDataset, startOpenDemo, startReindex } from './dataset-jobs';
import { pipelineJobSettings, readSettings, writeSettings } from './settings';

const dirs: string[] = [];
const contexts: AppContext[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-ctx-'));
  dirs.push(d);
  return d;
}

function context(dataDir: string): AppContext {
  const ctx = new AppContext({
    dataDir,
    mode: 'serve',
    version: 't',
    mediaUrl: (r, p) => `/media/${r}/${p}`,
    throttleMs: 10,
    demoPreset: 'tiny',
  });
  contexts.push(ctx);
  return ctx;
}

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('data folder and settings', () => {
  it('prefers --data, then $PLATELAB_DATA, then ~/.platelab', () => {
    expect(resolveDataDir('/x/flag', { [DATA_ENV]: '/x/env' })).toBe('/x/flag');
    expect(resolveDataDir(undefined, { [DATA_ENV]: '/x/env' })).toBe('/x/env');
    expect(resolveDataDir(undefined, {})).toBe(path.join(os.homedir(), '.platelab'));
  });

  it('gives each dataset its own catalog file', () => {
    const layout = dataLayout('/d');
    const a = catalogFileFor(layout, '/data/rxrx1');
    expect(a).toMatch(/^\/d\/catalogs\/rxrx1-[0-9a-f]{12}\.sqlite$/);
    expect(catalogFileFor(layout, '/other/rxrx1')).not.toBe(a);
    expect(catalogFileFor(layout, '/data/rxrx1/')).toBe(a);
  });

  it('round-trips settings and falls back to defaults on a corrupt file', () => {
    const file = path.join(tempDir(), 'settings.json');
    const defaults = {
      lastDataset: null,
      recentDatasets: [],
      decodedCacheGiB: 20,
      decodeWorkers: null,
      clusterByDataset: {},
    };
    expect(readSettings(file)).toEqual(defaults);
    expect(pipelineJobSettings(readSettings(file))).toEqual({ cacheBudgetBytes: 20 * 1024 ** 3 });
    writeSettings(file, { ...defaults, lastDataset: '/a', recentDatasets: ['/a'] });
    expect(readSettings(file).lastDataset).toBe('/a');
    // Pipeline knobs from a hand-edited file reach the training job.
    fs.writeFileSync(file, JSON.stringify({ decodedCacheGiB: 0.5, decodeWorkers: 3 }));
    expect(pipelineJobSettings(readSettings(file))).toEqual({
      cacheBudgetBytes: 512 * 1024 ** 2,
      decodeWorkers: 3,
    });
    fs.writeFileSync(file, '{ not json');
    expect(readSettings(file)).toEqual(defaults);
  });
});

describe('dataset jobs', () => {
  it('generates, indexes and opens the demo on first start, then reopens it without a job', async () => {
    const dir = tempDir();
    const ctx = context(dir);
    expect(ctx.dataset).toBeNull();
    const job = startOpenDemo(ctx);
    expect(job.kind).toBe('synth');
    // While it runs, a second indexing job is refused.
    expect(() => startOpenDataset(ctx, dir)).toThrow(PlateLabError);
    const done = await ctx.jobs.wait(job.id);
    expect(done.status).toBe('done');
    expect(ctx.dataset?.root).toBe(ctx.layout.demo);
    expect(ctx.dataset?.format).toBe('rxrx1-2019');
    expect(demoExists(ctx)).toBe(true);
    expect(readSettings(ctx.layout.settings).lastDataset).toBe(ctx.layout.demo);
    expect(fs.readdirSync(ctx.layout.datasets)).toEqual(['demo']);
    await ctx.close();

    const again = context(dir);
    expect(again.restoreLastDataset()?.root).toBe(again.layout.demo);
    expect(again.jobs.list()).toEqual([]);
    // The demo exists now: opening it again only (re)indexes.
    const reopen = startOpenDemo(again);
    expect(reopen.kind).toBe('index');
    expect((await again.jobs.wait(reopen.id)).status).toBe('done');
    const re = startReindex(again);
    expect((await again.jobs.wait(re.id)).status).toBe('done');
  });

  it('cancelling the demo generation leaves no partial dataset behind', async () => {
    const ctx = context(tempDir());
    const job = startOpenDemo(ctx);
    ctx.jobs.cancel(job.id);
    expect((await ctx.jobs.wait(job.id)).status).toBe('cancelled');
    expect(fs.readdirSync(ctx.layout.datasets)).toEqual([]);
    expect(ctx.dataset).toBeNull();
  });

  it('refuses a missing folder, a file, and reindex with nothing open, naming the path', () => {
    const dir = tempDir();
    const ctx = context(dir);
    expect(() => startOpenDataset(ctx, path.join(dir, 'missing'))).toThrow(
      /missing does not exist/,
    );
    fs.writeFileSync(path.join(dir, 'f.txt'), 'x');
    expect(() => startOpenDataset(ctx, path.join(dir, 'f.txt'))).toThrow(/is not a folder/);
    expect(() => startReindex(ctx)).toThrow(/no dataset is open/);
  });
});
