// The one model for long work (index, synth, thumbnails, train, predict, export): each job runs an
// async function with an AbortSignal and a progress callback; updates are throttled (~100 ms),
// status changes are sent at once, and every job is finalised (done, failed or cancelled).
import { randomUUID } from 'node:crypto';
import type { ErrorInfo, Job } from '../../../src-shared/contract';
import { PlateLabError, throwIfCancelled } from '../errors';

export type JobKind = Job['kind'];

export interface JobContext {
  signal: AbortSignal;
  /** fraction in 0..1 (clamped; never goes backwards); message replaces the last one when given. */
  progress(fraction: number, message?: string): void;
}

export type JobWork<T> = (ctx: JobContext) => Promise<T>;

export interface JobManagerOptions {
  /** Called with a snapshot on every (throttled) change. */
  onUpdate?: (job: Job) => void;
  throttleMs?: number;
  /** How many finished jobs to keep for `list()` (running ones are always kept). */
  keepFinished?: number;
}

interface Entry {
  job: Job;
  controller: AbortController;
  done: Promise<Job>;
  timer: NodeJS.Timeout | null;
  lastSent: number;
}

/** Turns anything thrown into the error shape that crosses the API. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof PlateLabError) {
    return err.details === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}

function isCancellation(err: unknown, signal: AbortSignal): boolean {
  if (err instanceof PlateLabError && err.code === 'CANCELLED') return true;
  if (err instanceof Error && err.name === 'AbortError') return true;
  return signal.aborted;
}

/**
 * Adapts a core function's `onProgress(done, total, message)` to a job's progress, mapped into the
 * [from, to] part of the bar (a job made of several steps gives each step its own part).
 */
export function stepProgress(
  ctx: JobContext,
  from = 0,
  to = 1,
): (done: number, total: number, message?: string) => void {
  return (done, total, message) =>
    ctx.progress(from + (to - from) * (total > 0 ? done / total : 0), message);
}

export class JobManager {
  private readonly entries = new Map<string, Entry>();
  private readonly throttleMs: number;
  private readonly keepFinished: number;
  private readonly onUpdate: (job: Job) => void;

  constructor(opts: JobManagerOptions = {}) {
    this.throttleMs = opts.throttleMs ?? 100;
    this.keepFinished = opts.keepFinished ?? 50;
    this.onUpdate = opts.onUpdate ?? (() => {});
  }

  /** Starts work now and returns its first snapshot; the work's result lands in `job.result`. */
  start<T>(kind: JobKind, title: string, work: JobWork<T>): Job {
    const controller = new AbortController();
    const job: Job = {
      id: `${kind}-${randomUUID().slice(0, 8)}`,
      kind,
      title,
      status: 'running',
      progress: 0,
      message: 'starting',
      startedAt: new Date().toISOString(),
    };
    const entry: Entry = { job, controller, done: Promise.resolve(job), timer: null, lastSent: 0 };
    this.entries.set(job.id, entry);
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (fraction, message) => this.progress(entry, fraction, message),
    };
    this.send(entry);
    entry.done = (async () => {
      try {
        // A tick first, so the caller has the job id before any work (or failure) happens.
        await Promise.resolve();
        throwIfCancelled(controller.signal);
        const result = await work(ctx);
        if (controller.signal.aborted) this.finish(entry, 'cancelled', 'cancelled');
        else this.finish(entry, 'done', 'done', result);
      } catch (err) {
        if (isCancellation(err, controller.signal)) this.finish(entry, 'cancelled', 'cancelled');
        else this.finish(entry, 'failed', toErrorInfo(err).message, undefined, toErrorInfo(err));
      }
      return this.snapshot(entry);
    })();
    return this.snapshot(entry);
  }

  get(id: string): Job | undefined {
    const e = this.entries.get(id);
    return e ? this.snapshot(e) : undefined;
  }

  /** All jobs, oldest first: running ones and the most recent finished ones. */
  list(): Job[] {
    return [...this.entries.values()].map((e) => this.snapshot(e));
  }

  /** Asks a running job to stop; returns false when there is no such running job. */
  cancel(id: string): boolean {
    const e = this.entries.get(id);
    if (!e || e.job.status !== 'running') return false;
    e.job.message = 'cancelling';
    e.controller.abort();
    this.flush(e);
    return true;
  }

  /** Resolves with the final snapshot of a job. */
  async wait(id: string): Promise<Job> {
    const e = this.entries.get(id);
    if (!e) throw new PlateLabError('NOT_FOUND', `no job ${id}`);
    return e.done;
  }

  /** Running jobs of a kind (e.g. to refuse a second index while one runs). */
  running(kind?: JobKind): Job[] {
    return this.list().filter((j) => j.status === 'running' && (!kind || j.kind === kind));
  }

  /** Cancels everything and waits for every job to finalise (graceful shutdown). */
  async shutdown(): Promise<void> {
    for (const e of this.entries.values()) if (e.job.status === 'running') e.controller.abort();
    await Promise.all([...this.entries.values()].map((e) => e.done));
  }

  private progress(e: Entry, fraction: number, message?: string): void {
    if (e.job.status !== 'running') return;
    const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : e.job.progress;
    e.job.progress = Math.max(e.job.progress, f);
    if (message !== undefined) e.job.message = message;
    const wait = e.lastSent + this.throttleMs - Date.now();
    if (wait <= 0) this.flush(e);
    else e.timer ??= setTimeout(() => this.flush(e), wait);
  }

  private finish(
    e: Entry,
    status: Job['status'],
    message: string,
    result?: unknown,
    error?: ErrorInfo,
  ): void {
    e.job.status = status;
    e.job.message = message;
    e.job.finishedAt = new Date().toISOString();
    if (status === 'done') {
      e.job.progress = 1;
      if (result !== undefined) e.job.result = result;
    }
    if (error) e.job.error = error;
    this.flush(e);
    this.prune();
  }

  private flush(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    e.timer = null;
    this.send(e);
  }

  private send(e: Entry): void {
    e.lastSent = Date.now();
    this.onUpdate(this.snapshot(e));
  }

  private snapshot(e: Entry): Job {
    return { ...e.job };
  }

  private prune(): void {
    const finished = [...this.entries.values()].filter((e) => e.job.status !== 'running');
    for (const e of finished.slice(0, Math.max(0, finished.length - this.keepFinished)))
      this.entries.delete(e.job.id);
  }
}
