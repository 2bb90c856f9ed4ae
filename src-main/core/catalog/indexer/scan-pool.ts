// Runs plate-folder scans (scan-core.ts) on worker threads (entries.ts 'scan-worker'), so listing,
// stat and header reads of the next plates overlap the SQLite writes of the current one; with 0
// threads asked for, scans run in-process. A worker that cannot start is an error, never a fallback.
import fs from 'node:fs';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../jobs/entries';
import { scanDirCore, type RawScan } from './scan-core';
import type { ScanRequest } from './scan-worker';

interface Pending {
  resolve: (r: RawScan) => void;
  reject: (e: Error) => void;
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

  /** Throws (INTERNAL, naming the file) when the scan-worker entry is missing. */
  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const w = startWorker('scan-worker');
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
      const request: ScanRequest = { id, abs, withHeaders, knownDigest };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
