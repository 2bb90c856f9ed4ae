// Plate-group decoding: for each experiment pick the plate→group map with the highest total
// predicted probability (distinct groups per plate when there are enough), mask classes outside the
// plate's group, then solve a per-plate linear assignment so each well gets a distinct siRNA.
import { hungarian } from './hungarian';
import type { PlateGroups } from './groups';

export interface DecodeWell {
  experiment: string;
  plate: number;
  /** Only treatment wells take part; controls keep their arg-max. */
  eligible: boolean;
}

export interface DecodeResult {
  /** Class per well (arg-max for ineligible wells). */
  assigned: Int32Array;
  /** Chosen group per plate, keyed `experiment/plate`. */
  plateGroup: Map<string, number>;
}

function argmax(probs: Float32Array, off: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (probs[off + c]! > probs[off + best]!) best = c;
  return best;
}

/** Best injective plate→group map by total score (plates ≤ groups ≤ 8), else per-plate best. */
export function choosePlateGroups(score: number[][], numGroups: number): number[] {
  const plates = score.length;
  if (plates > numGroups || numGroups > 8) return score.map((row) => row.indexOf(Math.max(...row)));
  let best = -Infinity;
  let bestMap: number[] = [];
  const used = new Array<boolean>(numGroups).fill(false);
  const cur: number[] = [];
  const rec = (p: number, acc: number): void => {
    if (p === plates) {
      if (acc > best) {
        best = acc;
        bestMap = cur.slice();
      }
      return;
    }
    for (let g = 0; g < numGroups; g++) {
      if (used[g]) continue;
      used[g] = true;
      cur.push(g);
      rec(p + 1, acc + score[p]![g]!);
      cur.pop();
      used[g] = false;
    }
  };
  rec(0, 0);
  return bestMap;
}

export function decodePlates(
  wells: DecodeWell[],
  probs: Float32Array,
  numClasses: number,
  groups: PlateGroups,
): DecodeResult {
  const k = numClasses;
  const assigned = new Int32Array(wells.length);
  wells.forEach((_, i) => (assigned[i] = argmax(probs, i * k, k)));
  const plateGroup = new Map<string, number>();
  const byExp = new Map<string, Map<number, number[]>>();
  wells.forEach((w, i) => {
    if (!w.eligible) return;
    if (!byExp.has(w.experiment)) byExp.set(w.experiment, new Map());
    const plates = byExp.get(w.experiment)!;
    if (!plates.has(w.plate)) plates.set(w.plate, []);
    plates.get(w.plate)!.push(i);
  });
  const numGroups = groups.groups.length;
  if (numGroups === 0) return { assigned, plateGroup };
  for (const [exp, plates] of byExp) {
    const plateList = [...plates.keys()].sort((a, b) => a - b);
    const score = plateList.map((p) => {
      const s = new Array<number>(numGroups).fill(0);
      for (const i of plates.get(p)!)
        for (let c = 0; c < k; c++)
          if (groups.groupOf[c]! >= 0) s[groups.groupOf[c]!]! += probs[i * k + c]!;
      return s;
    });
    const choice = choosePlateGroups(score, numGroups);
    plateList.forEach((p, pi) => {
      const g = choice[pi]!;
      plateGroup.set(`${exp}/${p}`, g);
      const members = groups.groups[g]!;
      const rows = plates.get(p)!;
      // −log p: maximising the product of the chosen wells' probabilities.
      const cost = rows.map((i) =>
        Float64Array.from(members, (c) => -Math.log(probs[i * k + c]! + 1e-12)),
      );
      const match = hungarian(cost, members.length);
      rows.forEach((i, r) => {
        if (match[r]! >= 0) assigned[i] = members[match[r]!]!;
        else {
          // More wells than group members: the leftover keeps its best in-group class.
          let best = members[0]!;
          for (const c of members) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
          assigned[i] = best;
        }
      });
    });
  }
  return { assigned, plateGroup };
}

/**
 * Plate-group assignment of well predictions in place: each treatment well's `assigned` becomes
 * its decoded class (decodePlates over `probs`, wells × numClasses), other wells' null.
 */
export function assignWells(
  wells: Array<{ experiment: string; plate: number; wellType: string; assigned: number | null }>,
  probs: Float32Array,
  numClasses: number,
  groups: PlateGroups,
): void {
  const decoded = decodePlates(
    wells.map((w) => ({
      experiment: w.experiment,
      plate: w.plate,
      eligible: w.wellType === 'treatment',
    })),
    probs,
    numClasses,
    groups,
  );
  wells.forEach((w, i) => (w.assigned = w.wellType === 'treatment' ? decoded.assigned[i]! : null));
}
