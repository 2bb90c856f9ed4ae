// The threaded wasm loader, each run in its own process (a backend is chosen once per process):
// it starts the requested XNNPACK threads, computes what the single-threaded build computes, and
// the process still exits on its own.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProbe } from '../../../../test-support/learn/child-probe';

const PROBE = path.join(
  import.meta.dirname,
  '../../../../test-support/learn/backend/threaded-wasm-probe.ts',
);

interface Probe {
  line: string;
  y: number[];
  dw: number[];
}

function probe(threads: string, extraEnv: Record<string, string> = {}): Promise<Probe> {
  return runProbe<Probe>(PROBE, { env: { PLATELAB_WASM_THREADS: threads, ...extraEnv } });
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

describe('threaded wasm backend', () => {
  it('runs 2 threads, matches the single-threaded build, and exits by itself', async () => {
    const [two, one] = await Promise.all([probe('2'), probe('1')]);
    expect(two.line).toMatch(/wasm SIMD, 2 threads,/);
    expect(two.line).not.toMatch(/threads off/);
    expect(one.line).toMatch(/wasm SIMD, 1 thread,/);
    const dy = maxAbsDiff(two.y, one.y);
    const dw = maxAbsDiff(two.dw, one.dw);
    console.log(`threaded vs single: max |Δy| ${dy}, max |ΔdW| ${dw}`);
    expect(dy).toBeLessThan(1e-4);
    expect(dw).toBeLessThan(1e-3);
    expect(Math.max(...two.dw.map(Math.abs))).toBeGreaterThan(1);
  }, 120_000);

  it('lets a crash after start report itself in a few lines (no dump of the wasm glue code)', async () => {
    const err = (await probe('2', { PROBE_THROW: '1' }).catch((e: unknown) => e)) as {
      code?: number;
      stderr?: string;
    };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('probe failure after backend start');
    expect(err.stderr!.length).toBeLessThan(4000);
  }, 60_000);

  it('rejects a bad PLATELAB_WASM_THREADS with a clear error', async () => {
    await expect(probe('many')).rejects.toThrow(
      /PLATELAB_WASM_THREADS 'many' is not a whole number/,
    );
  }, 60_000);
});
