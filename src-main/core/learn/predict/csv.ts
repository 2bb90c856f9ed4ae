// Predictions CSV: one row per well with the arg-max, its probability, the assigned class, the truth
// where known and the site-disagreement flag.
import type { PredictionSet } from './types';
import { writeFileAtomicSync } from '../../util/atomic-write';

function cell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function predictionsCsv(set: PredictionSet): string {
  const lines = [
    'id_code,experiment,plate,well,predicted,probability,assigned,truth,sites,sites_disagree',
  ];
  for (const w of set.wells) {
    lines.push(
      [
        w.idCode,
        w.experiment,
        w.plate,
        w.well,
        set.labels[w.top]!,
        w.prob.toFixed(6),
        w.assigned === null ? null : set.labels[w.assigned]!,
        w.truth,
        w.sites,
        w.sitesDisagree ? 1 : 0,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function writePredictionsCsv(file: string, set: PredictionSet): void {
  writeFileAtomicSync(file, predictionsCsv(set));
}
