// app.info and the jobs calls: what this PlateLab is (version, mode, compute backend, dataset),
// the live job list a reloaded UI reattaches to, and cancelling a job.
import { z } from 'zod';
import { BackendInfo } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { notFound } from '../errors';
import type { HandlerGroup } from './handler-types';

export type BackendInfo = z.infer<typeof BackendInfo>;

/** Picks the compute backend once (lazily: loading TensorFlow.js takes a moment) and describes it. */
export function backendProbe(): () => Promise<BackendInfo> {
  let pending: Promise<BackendInfo> | null = null;
  return () =>
    (pending ??= (async () => {
      try {
        const { selectBackend } = await import('../learn/backend/select-backend');
        const sel = await selectBackend();
        return {
          name: sel.name,
          detail: sel.detail,
          ...(sel.adapter ? { adapter: sel.adapter } : {}),
          tried: [
            ...sel.rejected.map((r) => ({ name: r.name, ok: false, reason: r.reason })),
            { name: sel.name, ok: true },
          ],
        };
      } catch (err) {
        return {
          name: 'none',
          detail: err instanceof Error ? err.message : String(err),
          tried: [],
        };
      }
    })());
}

export function appHandlers(
  ctx: AppContext,
  backend: () => Promise<BackendInfo>,
): HandlerGroup<'app.info' | 'jobs.list' | 'jobs.cancel'> {
  return {
    'app.info': async () => {
      const ds = ctx.dataset;
      return {
        version: ctx.version,
        mode: ctx.mode,
        backend: await backend(),
        dataset: ds ? { root: ds.root, db: ds.dbFile, format: ds.format } : null,
        dataDir: ctx.layout.root,
        recentDatasets: ctx.settings.recentDatasets,
      };
    },
    'jobs.list': () => ctx.jobs.list(),
    'jobs.cancel': ({ jobId }) => {
      if (!ctx.jobs.get(jobId)) throw notFound(`no job ${jobId}`);
      ctx.jobs.cancel(jobId);
      return {};
    },
  };
}
