// Parent side of a task run in its own process: spawns the task's entry (entries.ts; node fork by
// default, through tsx for a .ts source; Electron passes a utilityProcess spawner), relays progress
// and events, cancels gracefully (then kills after a grace period), and settles with the task's
// result or a readable error. A crashed child only rejects; it never throws into the parent.
import { fork } from 'node:child_process';
import { cancelledError, PlateLabError, type ErrorCode } from '../errors';
import { childExecArgv, entryFile, type EntryRef } from './entries';
import { isFromTask, type FromTask, type ToTask } from './child-task-protocol';

export interface SpawnHooks {
  onMessage(msg: unknown): void;
  onStderr(text: string): void;
  /** Called once when the process is gone; `how` reads like "exit code 3" or "signal SIGKILL". */
  onExit(how: string): void;
}

export interface SpawnedChild {
  pid: number | undefined;
  /** Never throws: a message to a process that is gone is dropped. */
  post(msg: ToTask): void;
  kill(): void;
}

export interface SpawnOptions {
  /** The child's environment; default this process's. */
  env?: NodeJS.ProcessEnv;
}

/** Starts `entry` (an existing module file that calls serveTask) in a new process. */
export type ChildSpawner = (entry: string, hooks: SpawnHooks, opts: SpawnOptions) => SpawnedChild;

/** Node: fork the entry (a .ts source through tsx), as serve mode and the CLI run everything. */
export const forkSpawner: ChildSpawner = (entry, hooks, opts) => {
  const child = fork(entry, [], {
    execArgv: childExecArgv(entry),
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: opts.env ?? { ...process.env },
  });
  let gone = false;
  const exit = (how: string): void => {
    if (gone) return;
    gone = true;
    hooks.onExit(how);
  };
  child.stderr?.on('data', (d: Buffer) => hooks.onStderr(d.toString()));
  child.on('message', (m) => hooks.onMessage(m));
  child.on('exit', (code, signal) => exit(signal ? `signal ${signal}` : `exit code ${code}`));
  child.on('error', (err) => {
    // A spawn failure never emits 'exit'; a failed send or kill is followed by 'exit' anyway.
    if (child.pid === undefined) exit(`could not start: ${err.message}`);
    else hooks.onStderr(`\n${err.message}`);
  });
  return {
    pid: child.pid,
    post: (msg) => {
      if (child.connected) child.send(msg, (err) => err && hooks.onStderr(`\n${err.message}`));
    },
    kill: () => {
      if (!gone) child.kill('SIGKILL');
    },
  };
};

export interface ChildTaskOptions<I> {
  /** The entry (entries.ts name, or a module file for tests); a missing one is an INTERNAL error. */
  entry: EntryRef;
  input: I;
  /** Names the process (or thread) in errors: "prediction process" → "prediction process ended unexpectedly …". */
  label: string;
  spawn?: ChildSpawner;
  env?: NodeJS.ProcessEnv;
  onProgress?(done: number, total: number, message?: string): void;
  /** The task's own events (TaskControl.emit), in order. */
  onEvent?(event: unknown): void;
  /** The child's stderr as it comes (the last lines also go into a crash's message). */
  onStderr?(text: string): void;
  /**
   * After a cancel, the child is killed if it has not exited by then. Default 10 s; Infinity never
   * kills (training finishes its step and checkpoints, however long that takes).
   */
  killAfterMs?: number;
}

export interface ChildTaskHandle<R> {
  pid: number | undefined;
  cancel(): void;
  result: Promise<R>;
}

/** Once the final message is in, the child gets this long to exit before it is killed. */
const EXIT_GRACE_MS = 10_000;

function errorFrom(info: { code: string; message: string; details?: unknown }): PlateLabError {
  if (info.code === 'CANCELLED') return cancelledError(info.message);
  return new PlateLabError(info.code as ErrorCode, info.message, info.details);
}

/** Starts the task's child. Throws (INTERNAL, naming the file) only when the entry is missing. */
export function startChildTask<I, R>(opts: ChildTaskOptions<I>): ChildTaskHandle<R> {
  const entry = entryFile(opts.entry);
  const spawn = opts.spawn ?? forkSpawner;
  let final: FromTask<R> | null = null;
  let cancelled = false;
  let stderrTail = '';
  let killTimer: NodeJS.Timeout | null = null;
  let child: SpawnedChild | null = null;
  const armKill = (ms: number): void => {
    if (killTimer || !Number.isFinite(ms)) return;
    killTimer = setTimeout(() => child?.kill(), ms);
    killTimer.unref();
  };

  const result = new Promise<R>((resolve, reject) => {
    child = spawn(
      entry,
      {
        onStderr: (text) => {
          stderrTail = (stderrTail + text).slice(-4000);
          opts.onStderr?.(text);
        },
        onMessage: (msg) => {
          if (!isFromTask(msg) || final) return;
          const m = msg as FromTask<R>;
          if (m.type === 'progress') opts.onProgress?.(m.done, m.total, m.message);
          else if (m.type === 'event') opts.onEvent?.(m.event);
          else {
            final = m;
            // The child exits right after its last message; make sure it does.
            armKill(EXIT_GRACE_MS);
          }
        },
        onExit: (how) => {
          if (killTimer) clearTimeout(killTimer);
          const f = final as FromTask<R> | null;
          if (f?.type === 'result') return resolve(f.value);
          if (f?.type === 'error') return reject(errorFrom(f.error));
          if (cancelled) return reject(cancelledError());
          const tail = stderrTail.trim().split('\n').slice(-5).join(' | ');
          reject(
            new PlateLabError(
              'INTERNAL',
              `${opts.label} ended unexpectedly (${how})${tail ? `: ${tail}` : ''}`,
            ),
          );
        },
      },
      { env: opts.env },
    );
    child.post({ type: 'start', input: opts.input });
  });
  const spawned = child as SpawnedChild | null;
  return {
    // A getter: some spawners (Electron's utilityProcess) only know the pid once it has started.
    get pid() {
      return spawned?.pid;
    },
    cancel: () => {
      if (cancelled || final) return;
      cancelled = true;
      spawned?.post({ type: 'cancel' });
      armKill(opts.killAfterMs ?? 10_000);
    },
    result,
  };
}

/** Runs a child task to its end; `signal` cancels it. A missing entry rejects (INTERNAL). */
export async function runChildTask<I, R>(
  opts: ChildTaskOptions<I> & { signal?: AbortSignal },
): Promise<R> {
  const handle = startChildTask<I, R>(opts);
  if (opts.signal) {
    if (opts.signal.aborted) handle.cancel();
    else opts.signal.addEventListener('abort', () => handle.cancel(), { once: true });
  }
  return handle.result;
}
