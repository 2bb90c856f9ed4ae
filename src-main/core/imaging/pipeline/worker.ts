// A pipeline worker thread: decodes, augments and packs batches off the main thread and posts
// them back with their buffers transferred (no copy). A stream runs one or more of these.
import { parentPort } from 'node:worker_threads';
import { PlateLabError } from '../../errors';
import { BatchBuilder } from './batch-builder';
import type { FromWorker, ToWorker } from './types';

const port = parentPort;
if (!port) throw new Error('pipeline worker must run in a worker thread');
let builder: BatchBuilder | null = null;
const post = (msg: FromWorker, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(msg, transfer);
const errorOf = (err: unknown): { code: string; message: string } =>
  err instanceof PlateLabError
    ? { code: err.code, message: err.message }
    : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };

// Batches are built one after another: sharp already spreads each batch's decodes over threads.
let queue: Promise<void> = Promise.resolve();
// Set as soon as 'close' arrives, so batches still queued are skipped rather than built.
let closing = false;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'close') closing = true;
  queue = queue.then(async () => {
    if (msg.type === 'init') {
      try {
        builder = new BatchBuilder(msg.config);
        post({ type: 'ready' });
      } catch (err) {
        post({ type: 'error', id: null, error: errorOf(err) });
      }
    } else if (msg.type === 'batch') {
      if (closing) return;
      try {
        if (!builder) throw new Error('pipeline worker got a batch before init');
        const batch = await builder.build(msg.plan, msg.tickets);
        post({ type: 'batch', id: msg.plan.id, batch }, [
          batch.x.buffer as ArrayBuffer,
          batch.y.buffer as ArrayBuffer,
          batch.cellType.buffer as ArrayBuffer,
        ]);
      } catch (err) {
        post({ type: 'error', id: msg.plan.id, error: errorOf(err) });
      }
    } else if (msg.type === 'close') {
      builder?.close();
      builder = null;
      post({ type: 'closed' });
    }
  });
});
