// Starts `platelab serve` on a free port over a fresh temp data folder (optionally with a `tiny`
// synthetic dataset) and stops it again; each test file gets its own server and folders.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Served {
  url: string;
  tmp: string;
  dataDir: string;
  datasetDir: string | null;
  output: () => string;
  stop: () => Promise<void>;
}

const CLI = 'bin/platelab.js';

export function synthTiny(outDir: string): void {
  const r = spawnSync(process.execPath, [CLI, 'synth', '--preset', 'tiny', '--out', outDir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`platelab synth --preset tiny failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
}

/**
 * `dataset: 'tiny'` writes a tiny synthetic dataset and passes it with --dataset; `'tiny-closed'`
 * writes it (and lets `prepare` damage it) but leaves opening it to the test, through the UI.
 */
export async function startServe(opts: {
  dataset: 'tiny' | 'tiny-closed' | 'none';
  name: string;
  prepare?: (datasetDir: string) => void;
  /** An existing dataset folder to open with --dataset (read only; e.g. the real RxRx1 sample). */
  existing?: string;
  /** `serve --open-demo`: generate, index and open the demo on start (first-start behaviour). */
  openDemo?: boolean;
  env?: Record<string, string>;
}): Promise<Served> {
  const tmp = mkdtempSync(join(tmpdir(), `platelab-e2e-${opts.name}-`));
  const dataDir = join(tmp, 'data');
  let datasetDir: string | null = null;
  try {
    if (opts.dataset !== 'none') {
      datasetDir = join(tmp, 'ds');
      synthTiny(datasetDir);
      opts.prepare?.(datasetDir);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true }); // nothing else would clean it up
    throw err;
  }
  const args = [CLI, 'serve', '--port', '0', '--data', dataDir];
  if (datasetDir && opts.dataset === 'tiny') args.push('--dataset', datasetDir);
  if (opts.existing) args.push('--dataset', opts.existing);
  if (opts.openDemo) args.push('--open-demo');
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`platelab serve did not start within 60 s. Output:\n${out}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /PlateLab serving at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].endsWith('/') ? m[1] : `${m[1]}/`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platelab serve exited with ${code} before serving. Output:\n${out}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    if (!process.env.PLATELAB_E2E_KEEP) rmSync(tmp, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = await started;
  } catch (err) {
    await stop(); // a server that never came up still must not outlive the test
    throw err;
  }
  return { url, tmp, dataDir, datasetDir, output: () => out, stop };
}
