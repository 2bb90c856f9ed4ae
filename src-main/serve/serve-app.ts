// `platelab serve` end to end: data folder + app context + handler table + HTTP/WebSocket server,
// the startup lines (URL, compute backend), optional dataset/demo opening with terminal progress,
// and graceful shutdown on SIGINT/SIGTERM.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRelPath, MEDIA_HTTP_PREFIX, TOKEN_PARAM } from '../../src-shared/wire';
import { backendProbe } from '../core/api/app-handlers';
import { createHandlers } from '../core/api/handlers';
import { AppContext } from '../core/app/app-context';
import { resolveDataDir } from '../core/app/data-dir';
import { startOpenDataset, startOpenDemo } from '../core/app/dataset-jobs';
import { newToken } from './auth';
import { startServer, type RunningServer } from './server';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeOptions {
  port?: number;
  host?: string;
  data?: string;
  dataset?: string;
  openDemo?: boolean;
  staticDir?: string;
  /** Log lines go here (tests capture them). */
  log?: (line: string) => void;
}

export function packageVersion(): string {
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return '0.0.0';
  }
}

/** URL builder of serve mode: /media/<root>/<encoded path> (the UI adds ?token= where needed). */
export function serveMediaUrl(root: string, rel: string): string {
  return `${MEDIA_HTTP_PREFIX}${root}/${encodeRelPath(rel)}`;
}

/** Prints a job's progress in the terminal: one line per 10 % step and the final state. */
function logJob(ctx: AppContext, jobId: string, log: (line: string) => void): void {
  let lastTenth = -1;
  const off = ctx.events.subscribe((m) => {
    if (m.event !== 'job:update' || m.payload.id !== jobId) return;
    const j = m.payload;
    const tenth = Math.floor(j.progress * 10);
    if (j.status === 'running' && tenth > lastTenth) {
      lastTenth = tenth;
      log(`  ${j.title}: ${Math.round(j.progress * 100)}% ${j.message}`);
    } else if (j.status !== 'running') {
      log(`  ${j.title}: ${j.status}${j.error ? ` (${j.error.message})` : ''}`);
      off();
    }
  });
}

export interface ServeApp {
  ctx: AppContext;
  server: RunningServer;
  /** Stops the server, cancels jobs, closes the catalog. */
  stop(): Promise<void>;
}

export async function runServe(opts: ServeOptions = {}): Promise<ServeApp> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = resolveDataDir(opts.data);
  const ctx = new AppContext({
    dataDir,
    mode: 'serve',
    version: packageVersion(),
    mediaUrl: serveMediaUrl,
  });
  const backend = backendProbe();
  const handlers = createHandlers(ctx, { backend });
  const host = opts.host ?? '127.0.0.1';
  const server = await startServer({
    ctx,
    handlers,
    host,
    port: opts.port ?? 0,
    token: newToken(),
    staticDir: opts.staticDir ?? path.join(REPO_ROOT, 'out', 'renderer'),
  });
  log(`PlateLab serving at ${server.url}`);
  if (server.token) {
    log(`  bound to ${host}: every request needs the token above (open that URL)`);
    if (host === '0.0.0.0' || host === '::') {
      log(
        `  from another machine: http://${os.hostname()}:${server.port}/?${TOKEN_PARAM}=${server.token}`,
      );
    }
  }
  log(`  data folder: ${ctx.layout.root}`);

  const restored = opts.dataset ? null : ctx.restoreLastDataset();
  if (restored) log(`  dataset: ${restored.root}`);
  if (opts.dataset) {
    const job = startOpenDataset(ctx, opts.dataset);
    log(`  indexing ${path.resolve(opts.dataset)} (job ${job.id})`);
    logJob(ctx, job.id, log);
  } else if (!restored && opts.openDemo) {
    const job = startOpenDemo(ctx);
    log(`  no dataset yet: opening the demo dataset (job ${job.id})`);
    logJob(ctx, job.id, log);
  }
  void backend().then((b) => log(`  compute backend: ${b.name} (${b.detail})`));

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await server.close();
      await ctx.close();
    })());
  return { ctx, server, stop };
}

/** Stops gracefully on SIGINT/SIGTERM (a second signal exits at once). */
export function stopOnSignals(app: ServeApp, log: (line: string) => void = console.log): void {
  let signalled = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    log(`\n${sig}: stopping PlateLab (cancelling jobs)…`);
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
