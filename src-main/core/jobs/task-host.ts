// Task side of every off-thread task (entries.ts): waits for 'start', runs the task with an
// AbortSignal fired by 'cancel' (or by the parent going away), streams progress and events and ends
// with one result or error. Speaks worker_threads' parentPort on a thread, node's fork IPC in a
// child process, or Electron's process.parentPort in a utilityProcess (no electron import).
import { parentPort as threadPort, threadId } from 'node:worker_threads';
import { isInputError, PlateLabError } from '../errors';
import { toErrorInfo } from './job-manager';
import type { FromTask, TaskFn, ToTask } from './child-task-protocol';

interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Progress messages are spaced at least this far apart (the last one always goes). */
const PROGRESS_EVERY_MS = 50;

/** How this process or thread talks to its parent: send (resolves once flushed), listen, finish. */
interface Channel {
  send(msg: FromTask): Promise<void>;
  listen(onMessage: (msg: ToTask) => void, onParentGone: () => void): void;
  finish(ok: boolean): void;
}

function channel(): Channel {
  if (threadPort) {
    const port = threadPort;
    return {
      send: (msg) => Promise.resolve(port.postMessage(msg)),
      listen: (on) => void port.on('message', on),
      // Closing the port lets the thread end once the task's own handles are gone.
      finish: () => port.close(),
    };
  }
  const electronPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (electronPort)
    return {
      send: (msg) =>
        new Promise((resolve) => {
          electronPort.postMessage(msg);
          // Give the port a turn to flush before the process may exit.
          setImmediate(resolve);
        }),
      listen: (on) => electronPort.on('message', (event) => on(event.data as ToTask)),
      finish: (ok) => process.exit(ok ? 0 : 1),
    };
  return {
    send: (msg) =>
      new Promise((resolve) => {
        if (process.send && process.connected) process.send(msg, undefined, {}, () => resolve());
        else resolve();
      }),
    listen: (on, gone) => {
      process.on('message', (msg) => on(msg as ToTask));
      process.on('disconnect', gone);
    },
    finish: (ok) => process.exit(ok ? 0 : 1),
  };
}

/**
 * Serves `task` to the parent that started this entry. The parent going away counts as a cancel.
 * Unexpected failures keep their stack on stderr (the parent keeps its tail); the parent gets
 * `{code, message}` through `toErrorInfo`.
 */
export function serveTask<I, R, E = unknown>(task: TaskFn<I, R, E>): void {
  const ch = channel();
  const controller = new AbortController();
  let started = false;
  let lastProgress = 0;
  const onProgress = (done: number, total: number, message?: string): void => {
    const now = Date.now();
    if (now - lastProgress < PROGRESS_EVERY_MS && done < total) return;
    lastProgress = now;
    void ch.send({ type: 'progress', done, total, message });
  };
  const emit = (event: E): void => void ch.send({ type: 'event', event });

  const run = async (input: I): Promise<void> => {
    let final: FromTask<R>;
    try {
      const value = await task(input, { signal: controller.signal, onProgress, emit });
      final = { type: 'result', value, threadId, pid: process.pid };
    } catch (err) {
      const cancelled = err instanceof PlateLabError && err.code === 'CANCELLED';
      if (!isInputError(err) && !cancelled)
        process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      final = { type: 'error', error: toErrorInfo(err) };
    }
    await ch.send(final);
    ch.finish(final.type === 'result');
  };

  ch.listen(
    (msg) => {
      if (msg.type === 'cancel') controller.abort();
      else if (msg.type === 'start' && !started) {
        started = true;
        void run(msg.input as I);
      }
    },
    () => controller.abort(),
  );
}
