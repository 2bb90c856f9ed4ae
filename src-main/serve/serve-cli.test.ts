// `platelab serve` as a process: prints the URL with the real port and the compute backend line,
// opens a dataset given with --dataset, answers calls, and stops cleanly (exit 0) on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src-shared/contract';
import { REPO_ROOT } from './serve-app';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-serve-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function waitFor(read: () => string, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      const m = re.exec(read());
      if (m) return resolve(m);
      if (Date.now() - start > ms)
        return reject(new Error(`no ${re} within ${ms} ms in:\n${read()}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe('platelab serve (process)', () => {
  it('serves a --dataset on a random port and stops on SIGTERM', async () => {
    const ds = path.join(tmp, 'ds');
    const synth = spawnSync(
      process.execPath,
      ['bin/platelab.js', 'synth', '--preset', 'tiny', '--out', ds],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(synth.status, synth.stderr).toBe(0);
    const child = spawn(
      process.execPath,
      [
        'bin/platelab.js',
        'serve',
        '--port',
        '0',
        '--data',
        path.join(tmp, 'data'),
        '--dataset',
        ds,
      ],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const m = await waitFor(
        () => out,
        /PlateLab serving at http:\/\/127\.0\.0\.1:(\d+)\//,
        30_000,
      );
      const port = Number(m[1]);
      expect(port).toBeGreaterThan(0);
      await waitFor(() => out, /Index ds: done/, 30_000);
      await waitFor(() => out, /compute backend: \S+/, 60_000);
      const res = await fetch(`http://127.0.0.1:${port}/api/call/dataset.summary`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await res.json()) as Result<{
        root: string;
        counts: { images: number };
      } | null>;
      expect(body.ok && body.data?.root).toBe(ds);
      expect(body.ok && body.data?.counts.images).toBeGreaterThan(0);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('SIGTERM: stopping PlateLab');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
