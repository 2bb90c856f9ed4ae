// Plate-group assignment (the RxRx1 "plate leak" post-processing): for each experiment pick the
// plate→group map with the highest total predicted probability (distinct groups per plate when there
// are enough), mask classes outside the plate's group, then solve a per-plate linear assignment so
// each well gets a distinct siRNA.
import { n, plural } from '../../../../src-shared/class-coverage';
import { hungarian } from './hungarian';
import type { PlateGroups } from './groups';

export interface AssignmentWell {
  experiment: string;
  plate: number;
  /** Only treatment wells take part; controls keep their arg-max. */
  eligible: boolean;
}

/** A plate with more eligible (treatment) wells than the run has classes of its chosen group. */
export interface OverfullPlate {
  experiment: string;
  plate: number;
  wells: number;
  classes: number;
}

export interface AssignmentResult {
  /** Class per well (arg-max for ineligible wells). */
  assigned: Int32Array;
  /** Chosen group per plate, keyed `experiment/plate`. */
  plateGroup: Map<string, number>;
  /**
   * Plates whose treatment wells outnumber the run's classes of their group: the run was not
   * trained on the siRNAs of at least `wells − classes` of them, and their assigned classes repeat.
   */
  overfull: OverfullPlate[];
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

/**
 * Assigns each eligible well of `wells` (probabilities `probs`, wells × numClasses) a class of its
 * plate's group, distinct within the plate; ineligible wells keep their arg-max.
 */
export function assignPlateGroups(
  wells: AssignmentWell[],
  probs: Float32Array,
  numClasses: number,
  groups: PlateGroups,
): AssignmentResult {
  const k = numClasses;
  const assigned = new Int32Array(wells.length);
  wells.forEach((_, i) => (assigned[i] = argmax(probs, i * k, k)));
  const plateGroup = new Map<string, number>();
  const overfull: OverfullPlate[] = [];
  const byExp = new Map<string, Map<number, number[]>>();
  wells.forEach((w, i) => {
    if (!w.eligible) return;
    if (!byExp.has(w.experiment)) byExp.set(w.experiment, new Map());
    const plates = byExp.get(w.experiment)!;
    if (!plates.has(w.plate)) plates.set(w.plate, []);
    plates.get(w.plate)!.push(i);
  });
  const numGroups = groups.groups.length;
  if (numGroups === 0) return { assigned, plateGroup, overfull };
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
      if (rows.length > members.length)
        overfull.push({ experiment: exp, plate: p, wells: rows.length, classes: members.length });
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
  return { assigned, plateGroup, overfull };
}

/**
 * The warning for plates with more treatment wells than the run has classes of their group (null
 * when none): such a plate holds siRNAs the run was not trained on (e.g. left out by class
 * coverage), so its assigned classes repeat and at least `wells − classes` of them are wrong.
 */
export function overfullWarning(overfull: readonly OverfullPlate[]): string | null {
  if (overfull.length === 0) return null;
  const wells = overfull.reduce((a, o) => a + o.wells, 0);
  const unknown = overfull.reduce((a, o) => a + o.wells - o.classes, 0);
  const e = overfull[0]!;
  return (
    `${plural(overfull.length, 'plate holds', 'plates hold')} more treatment wells than ` +
    `the run has classes of their plate group (${n(wells)} wells, e.g. ${e.experiment} plate ${e.plate}: ` +
    `${n(e.wells)} wells, ${n(e.classes)} classes): at least ${n(unknown)} of these wells are siRNAs the run was ` +
    'not trained on, so their predicted classes repeat and cannot be right'
  );
}

/**
 * Plate-group assignment of well predictions in place: each treatment well's `assigned` becomes
 * its assigned class (assignPlateGroups over `probs`, wells × numClasses), other wells' null.
 * Returns the plates with more treatment wells than classes of their group (see overfullWarning).
 */
export function assignWells(
  wells: Array<{ experiment: string; plate: number; wellType: string; assigned: number | null }>,
  probs: Float32Array,
  numClasses: number,
  groups: PlateGroups,
): OverfullPlate[] {
  const decoded = assignPlateGroups(
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
  return decoded.overfull;
}
