// Plate and well calls: the wells of one plate (labels, controls, broken sites, intensity, and the
// run's predictions when asked) and one well's detail (sites, channel files, top predictions).
import type { CallOutput } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { plateWells, wellDetail, type PlateWellRow } from '../catalog/queries';
import {
  plateReviewDecisions,
  reviewDecisionOf,
  type ReviewDecisionKind,
} from '../catalog/review-decisions';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';
import {
  platePredictions,
  topPredictions,
  wellPredictionInfo,
  type WellPredictionInfo,
} from './prediction-source';
import { plateMeanIntensity } from './well-intensity';

/**
 * One plate's wells as plates.wells returns them (labels, controls, images, the run's predictions
 * with `runId`, per-channel mean intensity with `intensity`): shared by the screen and the figure.
 */
export async function plateWellList(
  ctx: AppContext,
  args: {
    experiment: string;
    plate: number;
    runId?: string;
    intensity: boolean;
    /** Wait for the intensities to be computed from the images instead of answering 'pending'. */
    waitForIntensity?: boolean;
  },
): Promise<CallOutput<'plates.wells'>> {
  const { experiment, plate, runId } = args;
  const ds = requireDataset(ctx);
  const r = plateWells(ds.db, experiment, plate);
  const intensity = args.intensity
    ? await plateMeanIntensity(ctx, ds, experiment, plate, { wait: args.waitForIntensity })
    : null;
  const preds = runId
    ? platePredictions(ds.db, runId, experiment, plate)
    : new Map<string, WellPredictionInfo>();
  const reviews = plateReviewDecisions(ds.db, experiment, plate);
  return {
    experiment: r.experiment,
    plate: r.plate,
    split: r.split,
    cellType: r.cellType,
    wells: r.wells.map((w) =>
      toPlateWell(
        w,
        intensity?.means.get(w.well),
        preds.get(w.well) ?? null,
        reviews.get(w.well) ?? null,
      ),
    ),
    ...(intensity
      ? {
          intensity: {
            source: intensity.source,
            sites: intensity.sites,
            note: intensity.note,
            ...(intensity.jobId ? { jobId: intensity.jobId } : {}),
          },
        }
      : {}),
  };
}

function toPlateWell(
  w: PlateWellRow,
  intensity: Array<number | null> | undefined,
  prediction: WellPredictionInfo | null,
  review: ReviewDecisionKind | null,
) {
  return {
    well: w.well,
    row: w.row,
    col: w.col,
    idCode: w.idCode,
    wellType: w.wellType,
    sirna: w.sirna,
    sites: w.sites,
    hasImages: w.hasImages,
    broken: w.broken,
    meanIntensity: intensity ?? null,
    prediction,
    review,
  };
}

export function plateHandlers(ctx: AppContext): HandlerGroup<'plates.wells' | 'wells.detail'> {
  return {
    'plates.wells': ({ experiment, plate, runId, intensityChannel }) =>
      plateWellList(ctx, {
        experiment,
        plate,
        runId,
        intensity: intensityChannel !== undefined,
      }),
    'wells.detail': ({ idCode, runId }) => {
      const ds = requireDataset(ctx);
      const d = wellDetail(ds.db, idCode);
      return {
        well: toPlateWell(
          d.well,
          undefined,
          runId ? wellPredictionInfo(ds.db, runId, idCode) : null,
          reviewDecisionOf(ds.db, idCode)?.decision ?? null,
        ),
        experiment: d.experiment,
        plate: d.plate,
        split: d.split,
        cellType: d.cellType,
        sites: d.sites.map((s) => {
          const sized = s.channels.find((c) => c.ok && c.width !== null && c.height !== null);
          return {
            site: s.site,
            channels: s.channels.map((c) => ({ channel: c.channel, path: c.path, ok: c.ok })),
            error: s.error,
            width: sized?.width ?? null,
            height: sized?.height ?? null,
          };
        }),
        topPredictions: runId ? topPredictions(ds.db, runId, idCode, 5) : [],
      };
    },
  };
}
