// Worker-thread side of an off-thread task: same protocol as a child process (child-task-protocol),
// over parentPort. 'cancel' fires the task's AbortSignal; the result carries this thread's id.
import { parentPort, threadId } from 'node:worker_threads';
import { toErrorInfo } from './job-manager';
import type { FromTask, TaskFn, ToTask } from './child-task-protocol';

const PROGRESS_EVERY_MS = 50;

export function serveWorkerTask<I, R>(task: TaskFn<I, R> | undefined, name: string): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerTask must run in a worker thread');
  const post = (msg: FromTask<R>): void => port.postMessage(msg);
  if (typeof task !== 'function') {
    post({
      type: 'error',
      error: { code: 'INTERNAL', message: `task module has no function export "${name}"` },
    });
    port.close();
    return;
  }
  const controller = new AbortController();
  let lastProgress = 0;
  const onProgress = (done: number, total: number, message?: string): void => {
    const now = Date.now();
    if (now - lastProgress < PROGRESS_EVERY_MS && done < total) return;
    lastProgress = now;
    post({ type: 'progress', done, total, message });
  };
  let started = false;
  port.on('message', (msg: ToTask<I>) => {
    if (msg.type === 'cancel') controller.abort();
    else if (msg.type === 'start' && !started) {
      started = true;
      task(msg.input, { signal: controller.signal, onProgress })
        .then(
          (value) => post({ type: 'result', value, threadId, pid: process.pid }),
          (err: unknown) => post({ type: 'error', error: toErrorInfo(err) }),
        )
        // Closing the port lets the thread end once the task's own handles are gone.
        .finally(() => port.close());
    }
  });
}
