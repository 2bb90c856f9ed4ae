// Entry of a plate-scan worker thread (entries.ts 'scan-worker', run by scan-pool.ts): scans the
// plate folders it is sent with scanDirCore and posts each result back, its arrays transferred.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { scanDirCore } from './scan-core';

export interface ScanRequest {
  id: number;
  abs: string;
  withHeaders: boolean;
  knownDigest: string | null;
}

const port = parentPort;
if (!port) throw new Error('scan-worker must run in a worker thread');
port.on('message', ({ id, abs, withHeaders, knownDigest }: ScanRequest) => {
  try {
    const r = scanDirCore(fs, abs, withHeaders, knownDigest);
    const transfer = [r.keep.buffer, r.sizes.buffer, r.mtimes.buffer] as ArrayBuffer[];
    if (r.head) transfer.push(r.head.buffer as ArrayBuffer, r.headLen!.buffer as ArrayBuffer);
    port.postMessage({ id, r }, transfer);
  } catch (err) {
    port.postMessage({ id, error: String((err as Error)?.stack ?? err) });
  }
});
