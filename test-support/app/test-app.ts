// Shared set-up for the API, transport, preload and shell tests: a temp data folder with the tiny
// demo dataset opened, the real handler table (with a stub compute backend so tests never load
// TensorFlow.js), and helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Result } from '../../src-shared/contract';
import type { Handlers } from '../../src-main/core/api/handler-types';
import { createHandlers } from '../../src-main/core/api/handlers';
import { AppContext } from '../../src-main/core/app/app-context';
import { startOpenDemo } from '../../src-main/core/app/dataset-jobs';
import { serveMediaUrl } from '../../src-main/serve/serve-app';

export interface TestApp {
  dir: string;
  ctx: AppContext;
  handlers: Handlers;
  cleanup(): Promise<void>;
}

export async function makeTestApp(opts: { openDemo?: boolean } = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-api-'));
  const ctx = new AppContext({
    dataDir: dir,
    mode: 'serve',
    version: '0.0.0-test',
    mediaUrl: serveMediaUrl,
    throttleMs: 20,
    demoPreset: 'tiny',
  });
  const handlers = createHandlers(ctx, {
    backend: async () => ({ name: 'cpu', detail: 'test stub', tried: [{ name: 'cpu', ok: true }] }),
  });
  if (opts.openDemo !== false) {
    const job = startOpenDemo(ctx);
    const done = await ctx.jobs.wait(job.id);
    if (done.status !== 'done') throw new Error(`demo did not open: ${JSON.stringify(done.error)}`);
  }
  return {
    dir,
    ctx,
    handlers,
    cleanup: async () => {
      await ctx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A fetch of POST /api/call/<name> with a raw body; returns status and parsed JSON (or null). */
export async function postRaw(
  base: string,
  name: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}/api/call/${name}`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json };
}

/** A call's data, or a thrown error naming its code and message (for calls expected to succeed). */
export function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.data;
}
