// The preload bridge against the real IPC handler table: Electron's contextBridge and ipcRenderer
// are replaced by an in-process double (structured cloning like real IPC) wired to createIpcRoutes
// and forwardEvents — the same functions the desktop main process registers.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callNames, eventNames, type Job } from '../src-shared/contract';
import { BRIDGE_KEY, type PlateLabBridge } from '../src-shared/wire';
import { forwardEvents } from '../src-main/core/api/event-forwarder';
import { createIpcRoutes } from '../src-main/core/api/ipc-table';
import { makeTestApp, type TestApp } from '../test-support/app/test-app';

const exposed = new Map<string, unknown>();
const rendererSide = new EventEmitter();
let routes = new Map<string, (payload: unknown) => Promise<unknown>>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, payload: unknown) => {
      const handle = routes.get(channel);
      if (!handle) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await handle(structuredClone(payload)));
    },
    on: (channel: string, fn: (...args: unknown[]) => void) => rendererSide.on(channel, fn),
    removeListener: (channel: string, fn: (...args: unknown[]) => void) =>
      rendererSide.removeListener(channel, fn),
  },
}));

let app: TestApp;
let stopForwarding: () => void;
let bridge: PlateLabBridge;

beforeAll(async () => {
  app = await makeTestApp();
  routes = new Map(createIpcRoutes(app.handlers).map((r) => [r.channel, r.handle]));
  // main → renderer: webContents.send(channel, payload) arrives as (event, payload) in ipcRenderer.on.
  stopForwarding = forwardEvents(app.ctx.events, (channel, payload) =>
    rendererSide.emit(channel, { sender: 'main' }, structuredClone(payload)),
  );
  await import('./index');
  bridge = exposed.get(BRIDGE_KEY) as PlateLabBridge;
});

afterAll(async () => {
  stopForwarding?.();
  await app?.cleanup();
});

describe('preload bridge', () => {
  it('exposes exactly one function per call and one subscription per event, nothing else', () => {
    expect([...exposed.keys()]).toEqual([BRIDGE_KEY]);
    expect(Object.keys(bridge).sort()).toEqual(['calls', 'events']);
    expect(Object.keys(bridge.calls).sort()).toEqual([...callNames].sort());
    expect(Object.keys(bridge.events).sort()).toEqual([...eventNames].sort());
    for (const fn of [...Object.values(bridge.calls), ...Object.values(bridge.events)])
      expect(typeof fn).toBe('function');
    expect(Object.isFrozen(bridge.calls)).toBe(true);
  });

  it('calls reach the handler table and come back as envelopes (validation included)', async () => {
    const summary = await bridge.calls['dataset.summary']({});
    expect(summary.ok).toBe(true);
    if (summary.ok) expect(summary.data?.counts.images).toBeGreaterThan(0);
    const bad = await bridge.calls['plates.wells']({ experiment: 'HUVEC-01', plate: -3 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('VALIDATION');
      expect(bad.error.message).toContain('plate');
    }
  });

  it('subscriptions deliver payloads only (no IPC event object) and unsubscribe stops them', async () => {
    const seen: Job[] = [];
    const raw: unknown[][] = [];
    const off = bridge.events['job:update']((payload, ...rest: unknown[]) => {
      seen.push(payload);
      raw.push(rest);
    });
    const started = await bridge.calls['dataset.reindex']({});
    expect(started.ok).toBe(true);
    const jobId = started.ok ? started.data.jobId : '';
    await app.ctx.jobs.wait(jobId);
    await new Promise((r) => setTimeout(r, 50));
    off();
    expect(seen.filter((j) => j.id === jobId).at(-1)?.status).toBe('done');
    expect(raw.every((r) => r.length === 0)).toBe(true);
    const count = seen.length;
    const again = await bridge.calls['dataset.reindex']({});
    if (!again.ok) throw new Error(again.error.message);
    await app.ctx.jobs.wait(again.data.jobId);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length).toBe(count);
  });
});
