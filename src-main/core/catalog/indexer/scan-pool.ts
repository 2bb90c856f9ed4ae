// Runs plate-folder scans (scan-core.ts) on worker threads, so listing, stat and header reads of
// the next plates overlap the SQLite writes of the current one. The worker is plain JS built from
// scanDirCore's own source (no loader or bundler needed); with 0 threads scans run in-process.
import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { scanDirCore, type RawScan } from './scan-core';

interface Pending {
  resolve: (r: RawScan) => void;
  reject: (e: Error) => void;
}

function workerSource(): string {
  // `__name` covers the keep-names helper some transpilers insert into function sources.
  return `
    const { parentPort } = require('node:worker_threads');
    const fs = require('node:fs');
    const __name = (f) => f;
    const scan = (${scanDirCore.toString()});
    parentPort.on('message', ({ id, abs, withHeaders, knownDigest }) => {
      try {
        const r = scan(fs, abs, withHeaders, knownDigest);
        const transfer = [r.keep.buffer, r.sizes.buffer, r.mtimes.buffer];
        if (r.head) transfer.push(r.head.buffer, r.headLen.buffer);
        parentPort.postMessage({ id, r }, transfer);
      } catch (err) {
        parentPort.postMessage({ id, error: String(err && err.stack || err) });
      }
    });`;
}

/**
 * One scan thread per core (up to 4): an unchanged re-index is all listing and stat, which the
 * writer thread does not share, so on 2 cores two scanners halve its wall time.
 */
export function defaultScanThreads(): number {
  const cpus =
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, cpus));
}

export class ScanPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private turn = 0;
  private failure: Error | null = null;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      let w: Worker;
      try {
        w = new Worker(workerSource(), { eval: true });
      } catch {
        break; // fewer (or no) threads: scans run in-process
      }
      w.on('message', (msg: { id: number; r?: RawScan; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.r) p.resolve(msg.r);
        else p.reject(new Error(`plate scan failed: ${msg.error}`));
      });
      w.on('error', (err) => this.fail(err));
      this.workers.push(w);
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** `knownDigest`: the stored digest; a scan that matches it comes back without file details. */
  scan(abs: string, withHeaders: boolean, knownDigest: string | null = null): Promise<RawScan> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.workers.length === 0) {
      try {
        return Promise.resolve(scanDirCore(fs, abs, withHeaders, knownDigest));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, abs, withHeaders, knownDigest });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
