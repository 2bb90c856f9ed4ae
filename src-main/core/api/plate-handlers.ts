// Plate and well calls: the wells of one plate (labels, controls, broken sites, intensity, and the
// run's predictions when asked) and one well's detail (sites, channel files, top predictions).
import type { AppContext } from '../app/app-context';
import { plateWells, wellDetail, type PlateWellRow } from '../catalog/queries';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';
import {
  platePredictions,
  topPredictions,
  wellPredictionInfo,
  type WellPredictionInfo,
} from './prediction-source';
import { plateMeanIntensity } from './well-intensity';

function toPlateWell(
  w: PlateWellRow,
  intensity: number[] | undefined,
  prediction: WellPredictionInfo | null,
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
  };
}

export function plateHandlers(ctx: AppContext): HandlerGroup<'plates.wells' | 'wells.detail'> {
  return {
    'plates.wells': ({ experiment, plate, runId, intensityChannel }) => {
      const ds = requireDataset(ctx);
      const r = plateWells(ds.db, experiment, plate);
      const intensity =
        intensityChannel !== undefined
          ? plateMeanIntensity(ds.db, experiment, plate)
          : new Map<string, number[]>();
      const preds = runId
        ? platePredictions(ds.db, runId, experiment, plate)
        : new Map<string, WellPredictionInfo>();
      return {
        experiment: r.experiment,
        plate: r.plate,
        split: r.split,
        cellType: r.cellType,
        wells: r.wells.map((w) => toPlateWell(w, intensity.get(w.well), preds.get(w.well) ?? null)),
      };
    },
    'wells.detail': ({ idCode, runId }) => {
      const ds = requireDataset(ctx);
      const d = wellDetail(ds.db, idCode);
      return {
        well: toPlateWell(
          d.well,
          undefined,
          runId ? wellPredictionInfo(ds.db, runId, idCode) : null,
        ),
        experiment: d.experiment,
        plate: d.plate,
        split: d.split,
        cellType: d.cellType,
        sites: d.sites.map((s) => ({
          site: s.site,
          channels: s.channels.map((c) => ({ channel: c.channel, path: c.path, ok: c.ok })),
          error: s.error,
        })),
        topPredictions: runId ? topPredictions(ds.db, runId, idCode, 5) : [],
      };
    },
  };
}
