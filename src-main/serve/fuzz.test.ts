// Boundary fuzzing: for every contract call, malformed payloads (wrong types, missing fields, unknown
// and prototype-pollution keys, huge strings, random JSON, non-JSON bodies) go through HTTP and the
// IPC table. Every answer must be a VALIDATION error, the server must stay up, and the data folder
// (catalog, settings, cache) must be byte-for-byte unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callNames,
  calls,
  type CallInput,
  type CallName,
  type Result,
} from '../../src-shared/contract';
import { MAX_BODY_BYTES } from '../../src-shared/wire';
import { createIpcRoutes } from '../core/api/ipc-table';
import { defaultTrainConfig } from '../core/learn/config/default-config';
import { rxrx1DefaultDisplay } from '../core/imaging/display';
import { startServer, type RunningServer } from './server';
import { makeTestApp, postRaw, sha256, type TestApp } from '../../test-support/app/test-app';

const display = rxrx1DefaultDisplay();
/** One valid input per call: the mutations below start from these. */
const valid: { [K in CallName]: CallInput<K> } = {
  'app.info': {},
  'dataset.open': { root: '/tmp' },
  'dataset.openDemo': {},
  'dataset.reindex': {},
  'dataset.summary': {},
  'dataset.problems': { kind: 'missing_file', search: 'x', offset: 0, limit: 10 },
  'plates.wells': { experiment: 'HUVEC-01', plate: 1, runId: 'r1', intensityChannel: 2 },
  'wells.detail': { idCode: 'HUVEC-01_1_B02', runId: 'r1' },
  'display.default': {},
  'display.auto': {
    source: 'plate',
    experiment: 'HUVEC-01',
    plate: 1,
    idCode: 'HUVEC-01_1_B02',
    site: 1,
    percentiles: [1, 99],
    base: display,
  },
  'thumbnails.plate': { experiment: 'HUVEC-01', plate: 1, site: 1, size: 32, display },
  'images.site': { idCode: 'HUVEC-01_1_B02', site: 1, display, size: 64 },
  'training.defaults': {},
  'training.validate': { config: defaultTrainConfig() },
  'training.start': { config: defaultTrainConfig() },
  'training.cancel': { runId: 'r1' },
  'training.resume': { runId: 'r1' },
  'runs.list': {},
  'runs.metrics': { runId: 'r1' },
  'predict.start': { runId: 'r1', split: 'val', tta: false, assign: true },
  'predictions.summary': { runId: 'r1', split: 'val' },
  'predictions.queue': { runId: 'r1', split: 'test', queue: 'least-confident', limit: 5 },
  'export.submission': { runId: 'r1' },
  'export.predictions': { runId: 'r1', split: 'val' },
  'export.platePng': {
    experiment: 'HUVEC-01',
    plate: 1,
    metric: 'sirna',
    runId: 'r1',
    colormap: 'magma',
  },
  'sweeps.plan': {
    base: defaultTrainConfig(),
    grid: [{ key: 'dropout', values: ['0', '0.1'] }],
    seeds: 2,
    folds: null,
  },
  'sweeps.submit': {
    base: defaultTrainConfig(),
    grid: [],
    seeds: 1,
    folds: 2,
    name: 's1',
    scheduler: 'slurm',
    slurm: { partition: 'gpu', account: null, time: '1:00:00', gpus: 1, cpus: 4, mem: null },
  },
  'sweeps.list': {},
  'sweeps.status': { name: 's1' },
  'sweeps.cancel': { name: 's1' },
  'sweeps.clusterDefaults': {},
  'predict.ensemble': { runIds: ['r1', 'r2'], split: 'test', tta: false, assign: true },
  'jobs.list': {},
  'jobs.cancel': { jobId: 'index-1' },
  'review.set': { idCode: 'HUVEC-01_1_B03', decision: 'exclude', note: 'debris' },
  'review.undo': { idCode: 'HUVEC-01_1_B03' },
  'review.list': { decision: 'exclude' },
  'review.export': {},
  'saliency.get': { runId: 'r1', idCode: 'HUVEC-01_1_B02', site: 1 },
  'embedding.get': { runId: 'r1', split: 'val', projection: 'pca' },
  'embedding.umap': { runId: 'r1', split: 'val' },
};

/** Small seeded PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomJson(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 2 ? 5 : 7));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return Math.floor((r() - 0.5) * 1e6) / (r() < 0.5 ? 1 : 7);
    case 3:
      return String.fromCharCode(
        ...Array.from({ length: Math.floor(r() * 20) }, () => 32 + Math.floor(r() * 3000)),
      );
    case 4:
      return -0;
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 1 + Math.floor(r() * 4); i++)
        o[`k${Math.floor(r() * 100)}`] = randomJson(r, depth + 1);
      return o;
    }
  }
}

const WRONG_VALUES: unknown[] = [
  {},
  [],
  'wrong',
  123456789.5,
  -1,
  true,
  null,
  'x'.repeat(200_000),
  [1, 2, 3],
];

/** Malformed JSON payloads for a call: each is checked to be invalid under the contract. */
function malformed(name: CallName, r: () => number): Array<{ label: string; body: string }> {
  const base = valid[name] as Record<string, unknown>;
  const schema = calls[name].input;
  const out: Array<{ label: string; body: string }> = [];
  const add = (label: string, value: unknown) => out.push({ label, body: JSON.stringify(value) });
  for (const v of [null, [], 42, 'text', true, [base]])
    add(`non-object ${JSON.stringify(v)?.slice(0, 20)}`, v);
  add('unknown key', { ...base, unexpected: 1 });
  out.push({
    label: '__proto__ key',
    body: JSON.stringify(base).replace(/^\{/, '{"__proto__":{"polluted":true},').replace(',}', '}'),
  });
  out.push({
    label: 'nested __proto__',
    body: JSON.stringify({ ...base, x: 1 }).replace(
      /^\{/,
      '{"deep":{"__proto__":{"polluted":true}},',
    ),
  });
  add('constructor key', { ...base, constructor: { prototype: { polluted: true } } });
  for (const key of Object.keys(base)) {
    const { [key]: _dropped, ...rest } = base;
    if (!schema.safeParse(rest).success) add(`missing ${key}`, rest);
    for (const wrong of WRONG_VALUES) {
      const candidate = { ...base, [key]: wrong };
      if (!schema.safeParse(candidate).success) {
        add(`${key} = ${JSON.stringify(wrong).slice(0, 16)}`, candidate);
        break;
      }
    }
    const huge = { ...base, [key]: 'x'.repeat(300_000) };
    if (!schema.safeParse(huge).success) add(`${key} huge string`, huge);
  }
  for (let i = 0; i < 8; i++) {
    const v = randomJson(r);
    if (!schema.safeParse(v).success) add(`random #${i}`, v);
  }
  return out;
}

const NON_JSON = [
  '{',
  '{"a":',
  'undefined',
  "{'single':1}",
  'NaN',
  '\u0000\u0001\u0002',
  '{"a":1}}',
  '[1,2',
  'nul',
];

/** Everything in the data folder, hashed: any write (catalog, WAL, settings, cache, runs) changes it. */
function folderDigest(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const e of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      // The dataset's own images are not ours to change and take long to hash: list them by name.
      else
        parts.push(
          `${path.relative(dir, p)}:${p.includes(`${path.sep}datasets${path.sep}`) ? fs.statSync(p).size : sha256(p)}`,
        );
    }
  };
  walk(dir);
  return parts.join('\n');
}

let app: TestApp;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  app = await makeTestApp();
  server = await startServer({
    ctx: app.ctx,
    handlers: app.handlers,
    port: 0,
    staticDir: '/nonexistent',
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await app?.cleanup();
});

function expectValidation(r: Result<unknown> | null, what: string): void {
  expect(r, what).not.toBeNull();
  expect(r!.ok, what).toBe(false);
  if (r && !r.ok) {
    expect(r.error.code, `${what}: ${r.error.message}`).toBe('VALIDATION');
    expect(r.error.message.length, what).toBeGreaterThan(0);
  }
}

describe('fuzzing the API boundary', () => {
  it('refuses every malformed payload on every call over HTTP and IPC, changing nothing', async () => {
    const before = folderDigest(app.dir);
    const catalogBefore = sha256(app.ctx.dataset!.dbFile);
    const jobsBefore = app.ctx.jobs.list().length;
    const routes = new Map(createIpcRoutes(app.handlers).map((x) => [x.call, x.handle]));
    const r = rng(20261125);
    let sent = 0;
    for (const name of callNames) {
      const payloads = malformed(name, r);
      expect(payloads.length, name).toBeGreaterThan(8);
      for (const p of payloads) {
        const http = await postRaw(base, name, p.body);
        expect([400, 413], `${name} ${p.label}`).toContain(http.status);
        expectValidation(http.json as Result<unknown>, `HTTP ${name} ${p.label}`);
        const viaIpc = await routes.get(name)!(JSON.parse(p.body) as unknown);
        expectValidation(viaIpc, `IPC ${name} ${p.label}`);
        sent += 2;
      }
      for (const body of NON_JSON) {
        const http = await postRaw(base, name, body);
        expect(http.status, `${name} non-JSON ${body}`).toBe(400);
        expectValidation(
          http.json as Result<unknown>,
          `HTTP ${name} non-JSON ${JSON.stringify(body)}`,
        );
        sent++;
      }
      const wrongType = await postRaw(base, name, JSON.stringify(valid[name]), {
        'content-type': 'text/plain',
      });
      expect(wrongType.status).toBe(415);
      expectValidation(wrongType.json as Result<unknown>, `${name} text/plain`);
    }
    const tooBig = await postRaw(
      base,
      'dataset.open',
      JSON.stringify({ root: 'x'.repeat(MAX_BODY_BYTES + 10) }),
    );
    expect(tooBig.status).toBe(413);
    expectValidation(tooBig.json as Result<unknown>, 'oversized body');

    expect(sent).toBeGreaterThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(sha256(app.ctx.dataset!.dbFile)).toBe(catalogBefore);
    expect(folderDigest(app.dir)).toBe(before);
    expect(app.ctx.jobs.list().length).toBe(jobsBefore);
    // Still up and answering.
    const alive = await postRaw(base, 'app.info', '{}');
    expect(alive.status).toBe(200);
    expect((alive.json as Result<{ mode: string }>).ok).toBe(true);
  });
});
