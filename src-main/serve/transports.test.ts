// Contract tests: the same scenario through both transports — the IPC handler table the desktop
// shell registers (run here as an in-process double with structured cloning, as Electron does) and
// a real HTTP/WebSocket server on a loopback port — must give the same answers and the same errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { callNames, calls, type CallName, type Job, type Result } from '../../src-shared/contract';
import {
  ipcCallChannel,
  ipcEventChannel,
  parseWireEvent,
  type WireEvent,
} from '../../src-shared/wire';
import { forwardEvents } from '../core/api/event-forwarder';
import { createIpcRoutes } from '../core/api/ipc-table';
import { rxrx1DefaultDisplay } from '../core/imaging/display';
import { startServer, type RunningServer } from './server';
import { makeTestApp, postRaw, type TestApp } from '../../test-support/app/test-app';

let app: TestApp;
let server: RunningServer;
let base: string;
let ipc: Map<string, (payload: unknown) => Promise<Result<unknown>>>;

beforeAll(async () => {
  app = await makeTestApp();
  server = await startServer({
    ctx: app.ctx,
    handlers: app.handlers,
    port: 0,
    staticDir: '/nonexistent',
  });
  base = `http://127.0.0.1:${server.port}`;
  ipc = new Map(createIpcRoutes(app.handlers).map((r) => [r.channel, r.handle]));
});

afterAll(async () => {
  await server?.close();
  await app?.cleanup();
});

/** What the renderer's IPC client does: invoke the call's channel; Electron structured-clones both ways. */
async function viaIpc(name: string, input: unknown): Promise<Result<unknown>> {
  const handle = ipc.get(ipcCallChannel(name as CallName));
  if (!handle)
    return { ok: false, error: { code: 'NOT_FOUND', message: `no channel for ${name}` } };
  return structuredClone(await handle(structuredClone(input)));
}

async function viaHttp(name: string, input: unknown): Promise<Result<unknown>> {
  const r = await postRaw(base, name, JSON.stringify(input));
  return r.json as Result<unknown>;
}

async function both(name: string, input: unknown): Promise<Result<unknown>> {
  const [a, b] = await Promise.all([viaIpc(name, input), viaHttp(name, input)]);
  expect(b, `${name}: HTTP and IPC differ`).toEqual(a);
  return a;
}

function data<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`call failed: ${r.error.code} ${r.error.message}`);
  return r.data as T;
}

describe('the same calls over IPC and HTTP', () => {
  it('every contract call has exactly one IPC route', () => {
    const routes = createIpcRoutes(app.handlers);
    expect(routes.map((r) => r.call).sort()).toEqual([...callNames].sort());
    expect(new Set(routes.map((r) => r.channel)).size).toBe(callNames.length);
  });

  it('answers the browse scenario identically, and each answer matches the output schema', async () => {
    const info = data<{ mode: string; dataset: { format: string } | null }>(
      await both('app.info', {}),
    );
    expect(info.mode).toBe('serve');
    expect(info.dataset?.format).toBe('rxrx1-2019');

    const summary = data<{
      counts: { wells: number; images: number };
      plates: Array<{ experiment: string; plate: number }>;
    }>(await both('dataset.summary', {}));
    expect(summary.counts.images).toBeGreaterThan(0);
    const first = summary.plates[0]!;

    const wells = data<{ wells: Array<{ idCode: string; well: string }> }>(
      await both('plates.wells', {
        experiment: first.experiment,
        plate: first.plate,
        intensityChannel: 1,
      }),
    );
    expect(wells.wells.length).toBeGreaterThan(0);
    const idCode = wells.wells[0]!.idCode;

    const detail = data<{ sites: Array<{ site: number }> }>(await both('wells.detail', { idCode }));
    expect(detail.sites.length).toBeGreaterThan(0);

    const display = data(await both('display.default', {}));
    expect(display).toEqual(rxrx1DefaultDisplay());

    const sprite = data<{ url: string; wells: unknown[] }>(
      await both('thumbnails.plate', {
        experiment: first.experiment,
        plate: first.plate,
        size: 32,
        display,
      }),
    );
    expect(sprite.url).toMatch(/^\/media\/cache\/.+\.png$/);
    const png = await fetch(base + sprite.url);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');

    const site = data<{ url: string; width: number }>(
      await both('images.site', { idCode, site: 1, display, size: 48 }),
    );
    expect(site.width).toBe(48);
    expect((await fetch(base + site.url)).status).toBe(200);

    const auto = data<{ channels: Array<{ range: [number, number] }> }>(
      await both('display.auto', {
        source: 'plate',
        experiment: first.experiment,
        plate: first.plate,
        base: display,
      }),
    );
    expect(auto.channels).toHaveLength(6);
    for (const ch of auto.channels) expect(ch.range[1]).toBeGreaterThan(ch.range[0]);

    const problems = data<{ total: number }>(await both('dataset.problems', { limit: 10 }));
    expect(problems.total).toBe(0);
    expect(data<unknown[]>(await both('runs.list', {}))).toEqual([]);
    const defaults = data(await both('training.defaults', {}));
    expect(calls['training.defaults'].output.safeParse(defaults).success).toBe(true);
  });

  it('gives the same errors: validation naming the field, unknown call, not found, bad state', async () => {
    const v = await both('plates.wells', { experiment: 'HUVEC-01', plate: 'one' });
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.error.code).toBe('VALIDATION');
      expect(v.error.message).toContain('plate');
    }
    const extra = await both('app.info', { surprise: 1 });
    expect(!extra.ok && extra.error.code).toBe('VALIDATION');
    expect(!extra.ok && extra.error.message).toContain('surprise');

    // An unknown call has no IPC channel at all (the preload has no function for it); over HTTP it is a 404.
    expect(ipc.has(ipcCallChannel('no.such.call' as CallName))).toBe(false);
    const unknownCall = await postRaw(base, 'no.such.call', '{}');
    expect(unknownCall.status).toBe(404);
    expect((unknownCall.json as Result<unknown>).ok).toBe(false);

    const missing = await both('wells.detail', { idCode: 'NOPE_1_B02' });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');

    const noRun = await both('runs.metrics', { runId: 'run-none' });
    expect(!noRun.ok && noRun.error.code).toBe('NOT_FOUND');

    const badFolder = await both('dataset.open', { root: '/definitely/not/here' });
    expect(!badFolder.ok && badFolder.error.code).toBe('INVALID_INPUT');
    expect(!badFolder.ok && badFolder.error.message).toContain('/definitely/not/here');
  });

  it('delivers job events over the WebSocket and the IPC event channel alike', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const fromWs: WireEvent[] = [];
    ws.on('message', (d) => {
      const e = parseWireEvent(String(d));
      if (e) fromWs.push(e);
    });
    const fromIpc: Array<{ channel: string; payload: unknown }> = [];
    const stop = forwardEvents(app.ctx.events, (channel, payload) =>
      fromIpc.push({ channel, payload: structuredClone(payload) }),
    );

    const started = data<{ jobId: string }>(await viaIpc('dataset.reindex', {}));
    const final = await app.ctx.jobs.wait(started.jobId);
    expect(final.status).toBe('done');
    await new Promise((r) => setTimeout(r, 100));
    stop();
    ws.close();

    const wsJob = fromWs.filter(
      (e): e is Extract<WireEvent, { event: 'job:update' }> =>
        e.event === 'job:update' && e.payload.id === started.jobId,
    );
    const ipcJob = fromIpc.filter(
      (e) => e.channel === ipcEventChannel('job:update') && (e.payload as Job).id === started.jobId,
    );
    expect(wsJob.at(-1)?.payload.status).toBe('done');
    expect(wsJob.map((e) => e.payload)).toEqual(ipcJob.map((e) => e.payload));
    expect(fromWs.some((e) => e.event === 'catalog:changed')).toBe(true);
    expect(fromIpc.some((e) => e.channel === ipcEventChannel('catalog:changed'))).toBe(true);

    // A reloaded UI reattaches through jobs.list, which both transports answer the same.
    const jobs = data<Job[]>(await both('jobs.list', {}));
    expect(jobs.find((j) => j.id === started.jobId)?.status).toBe('done');
  });
});
