// Saliency calls (issue 14): a site's per-channel attribution for a class of a run, read from the
// run's cache (no child needed) or computed as a 'saliency' job in the prediction child; heat
// overlays rendered with sharp into the data folder's cache and served as media URLs.
import fs from 'node:fs';
import path from 'node:path';
import type { CallOutput } from '../../../src-shared/contract';
import { CHANNEL_STAINS } from '../../../src-shared/display-state';
import type { AppContext } from '../app/app-context';
import { relUnder } from '../app/media';
import { datasetIdentity, describeDataset } from '../catalog/dataset-identity';
import { inputError, notFound } from '../errors';
import { stepProgress } from '../jobs/job-manager';
import {
  readCachedSaliency,
  saliencyKey,
  stepsFor,
  verifiedWeights,
  type SaliencyKeyParts,
  type SaliencyMeta,
} from '../learn/explain/saliency-cache';
import {
  OVERLAY_QUANTILE,
  overlayRgba,
  quantile,
  summedMagnitude,
  writeOverlayPng,
} from '../learn/explain/saliency-overlay';
import { childSaliencyLauncher, type SaliencyLauncher } from '../learn/explain/saliency-task';
import { wellPrediction, wellPredictionCheckpoint } from '../learn/predict/store';
import { readClassList } from '../learn/runs/run-folder';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';
import { datasetCacheDir } from './image-handlers';
import { runDirOf } from './run-dir';

const ALL_CHANNELS = [1, 2, 3, 4, 5, 6];

/** `launch`: how a map is computed (default: the prediction child; Electron: its utilityProcess). */
export function saliencyHandlers(
  ctx: AppContext,
  launch: SaliencyLauncher = childSaliencyLauncher(),
): HandlerGroup<'saliency.get'> {
  /** Running jobs by cache key, so asking again while it computes returns the same job. */
  const running = new Map<string, string>();

  /** The per-channel and summed overlays of a cached map (rendered once, then reused). */
  async function overlays(
    dir: string,
    meta: SaliencyMeta,
    values: Float32Array,
    channels: number[],
  ): Promise<{ perChannel: string[]; summed: string }> {
    const size = meta.geometry.imageSize;
    const perChannel = ALL_CHANNELS.map((c) => path.join(dir, `${meta.key}-c${c}.png`));
    if (!perChannel.every((f) => fs.existsSync(f))) {
      const planes = ALL_CHANNELS.map((c) => summedMagnitude(values, meta, [c]));
      // One scale for all six, so a weak stain looks weak next to a strong one.
      const all = new Float32Array(planes.reduce((n, p) => n + p.length, 0));
      planes.reduce((at, p) => (all.set(p, at), at + p.length), 0);
      const scale = quantile(all, OVERLAY_QUANTILE);
      for (const [i, plane] of planes.entries())
        await writeOverlayPng(perChannel[i]!, overlayRgba(plane, meta, scale), size);
    }
    const summed = path.join(dir, `${meta.key}-sum${channels.join('')}.png`);
    if (!fs.existsSync(summed)) {
      const sum = summedMagnitude(values, meta, channels);
      await writeOverlayPng(summed, overlayRgba(sum, meta, quantile(sum, OVERLAY_QUANTILE)), size);
    }
    return { perChannel, summed };
  }

  return {
    'saliency.get': async ({ runId, idCode, site, sirna, method, steps, channels }) => {
      const runDir = runDirOf(ctx.layout.runs, runId);
      const ds = requireDataset(ctx);
      // The well's prediction by this run, as the viewer shows it (the open dataset's catalog).
      const w = wellPrediction(ds.db, runId, idCode);
      if (!w)
        throw notFound(
          `run ${runId} has no prediction for well ${idCode} on ${describeDataset(datasetIdentity(ds.db, ds.dbFile))}: predict the well's split first`,
          { runId, idCode },
        );
      const predictedLabel = w.assigned ?? w.top;
      const classLabel = sirna ?? predictedLabel;
      if (!readClassList(runDir).labels.includes(classLabel))
        throw inputError(`run ${runId} has no class '${classLabel}'`, { runId, sirna });
      // Refused (naming the file) when the weights cannot be verified against the manifest.
      const { checkpoint } = verifiedWeights(runDir);
      const parts: SaliencyKeyParts = {
        runId,
        checkpointSha256: checkpoint.sha256,
        idCode,
        site,
        classLabel,
        method,
        steps: stepsFor(method, steps),
      };
      const key = saliencyKey(parts);
      const cached = readCachedSaliency(runDir, parts);
      if (!cached) {
        const jobId = running.get(key);
        if (jobId && ctx.jobs.get(jobId)?.status === 'running')
          return { status: 'computing', jobId, classLabel };
        const job = ctx.jobs.start(
          'saliency',
          `Saliency of ${idCode} site ${site} for ${classLabel} (${runId})`,
          async (jc) => {
            try {
              const meta = await launch(
                {
                  runDir,
                  dbFile: ds.dbFile,
                  idCode,
                  site,
                  classLabel,
                  method,
                  steps: parts.steps,
                },
                { signal: jc.signal, onProgress: stepProgress(jc) },
              );
              return { key: meta.key, seconds: meta.seconds, warnings: meta.warnings };
            } finally {
              running.delete(key);
            }
          },
        );
        running.set(key, job.id);
        return { status: 'computing', jobId: job.id, classLabel };
      }
      const { meta, values } = cached;
      const predictedWith = wellPredictionCheckpoint(ds.db, runId, idCode);
      const shown = [...new Set(channels ?? ALL_CHANNELS)].sort((a, b) => a - b);
      const dir = path.join(datasetCacheDir(ctx, ds), 'saliency', runId);
      const files = await overlays(dir, meta, values, shown);
      const url = (file: string) => ctx.mediaUrl('cache', relUnder(ctx.layout.cache, file));
      const out: CallOutput<'saliency.get'> = {
        status: 'ready',
        classLabel,
        predictedLabel,
        predictedByAssignment: w.assigned !== null,
        method: meta.method,
        steps: meta.steps,
        channels: ALL_CHANNELS.map((c, i) => ({
          channel: c,
          stain: CHANNEL_STAINS[i]!,
          share: meta.shares[i] ?? 0,
          url: url(files.perChannel[i]!),
        })),
        summed: { channels: shown, url: url(files.summed) },
        completenessGap: meta.completenessGap,
        logit: meta.logit,
        baselineLogit: meta.baselineLogit,
        checkpoint: meta.checkpoint,
        checkpointDiffers: (predictedWith ?? meta.checkpoint.sha256) !== meta.checkpoint.sha256,
        warnings: meta.warnings,
        seconds: meta.seconds,
      };
      return out;
    },
  };
}
