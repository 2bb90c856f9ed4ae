// Child side of an off-thread task in its own process: waits for 'start', runs the task with an
// AbortSignal fired by 'cancel' (or by the parent going away), streams progress and ends with one
// result or error message, then exits. Speaks node's fork IPC, or Electron's process.parentPort
// when it runs in a utilityProcess (no electron import: parentPort is a property of process).
import { toErrorInfo } from './job-manager';
import type { FromTask, TaskFn, ToTask } from './child-task-protocol';
import { isInputError } from '../errors';

interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Progress messages are spaced at least this far apart (the last one always goes). */
const PROGRESS_EVERY_MS = 50;

export function serveChildTask<I, R>(task: TaskFn<I, R>): void {
  const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  const controller = new AbortController();
  let started = false;

  const send = (msg: FromTask<R>): Promise<void> =>
    new Promise((resolve) => {
      if (port) {
        port.postMessage(msg);
        // Give the port a turn to flush before the process may exit.
        setImmediate(resolve);
      } else if (process.send && process.connected) {
        process.send(msg, undefined, {}, () => resolve());
      } else resolve();
    });

  let lastProgress = 0;
  const onProgress = (done: number, total: number, message?: string): void => {
    const now = Date.now();
    if (now - lastProgress < PROGRESS_EVERY_MS && done < total) return;
    lastProgress = now;
    void send({ type: 'progress', done, total, message });
  };

  const run = async (input: I): Promise<void> => {
    let final: FromTask<R>;
    try {
      const value = await task(input, { signal: controller.signal, onProgress });
      final = { type: 'result', value, threadId: 0, pid: process.pid };
    } catch (err) {
      // Unexpected failures keep their stack on stderr for the log; the parent gets the message.
      if (!isInputError(err)) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      final = { type: 'error', error: toErrorInfo(err) };
    }
    await send(final);
    process.exit(final.type === 'result' ? 0 : 1);
  };

  const onMessage = (msg: ToTask<I>): void => {
    if (msg.type === 'cancel') controller.abort();
    else if (msg.type === 'start' && !started) {
      started = true;
      void run(msg.input);
    }
  };
  if (port) port.on('message', (event) => onMessage(event.data as ToTask<I>));
  else {
    process.on('message', (msg) => onMessage(msg as ToTask<I>));
    // The parent going away is a cancel: stop at the next check and exit.
    process.on('disconnect', () => controller.abort());
  }
}
