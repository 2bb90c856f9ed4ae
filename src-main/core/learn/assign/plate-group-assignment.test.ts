// Group learning and plate-group assignment on a simulated design: 3 groups, rotated per experiment, noisy
// predictions; the assignment must recover the groups and lift accuracy well above the arg-max.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../util/rng';
import {
  choosePlateGroups,
  assignPlateGroups,
  overfullWarning,
  type AssignmentWell,
} from './plate-group-assignment';
import { learnGroups } from './groups';

function design(rng: SeededRng, groups: number, perGroup: number, experiments: number) {
  const plates: { experiment: string; plate: number; classes: number[] }[] = [];
  for (let e = 0; e < experiments; e++)
    for (let p = 0; p < groups; p++) {
      const g = (p + e) % groups;
      plates.push({
        experiment: `E-${e}`,
        plate: p + 1,
        classes: rng.shuffle(Array.from({ length: perGroup }, (_, i) => g * perGroup + i)),
      });
    }
  return plates;
}

describe('learnGroups', () => {
  it('recovers disjoint groups from plate co-occurrence and leaves unseen classes out', () => {
    const rng = new SeededRng(1);
    const plates = design(rng, 3, 5, 2).map((p) => ({
      plateKey: `${p.experiment}/${p.plate}`,
      classes: p.classes,
    }));
    const g = learnGroups(plates, 16);
    expect(g.groups).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14],
    ]);
    expect(g.groupOf[15]).toBe(-1);
  });
});

describe('assignPlateGroups', () => {
  it('chooses the right plate groups and beats the arg-max on noisy predictions', () => {
    const rng = new SeededRng(5);
    const K = 24;
    const groups = learnGroups(
      design(rng, 3, 8, 3).map((p) => ({
        plateKey: `${p.experiment}/${p.plate}`,
        classes: p.classes,
      })),
      K,
    );
    const test = design(rng, 3, 8, 2).map((p) => ({ ...p, experiment: `T-${p.experiment}` }));
    const wells: AssignmentWell[] = [];
    const truth: number[] = [];
    const rows: number[][] = [];
    for (const p of test)
      for (const c of p.classes) {
        wells.push({ experiment: p.experiment, plate: p.plate, eligible: true });
        truth.push(c);
        const logits = Array.from(
          { length: K },
          (_, j) => rng.normal() * 1.2 + (j === c ? 1.5 : 0),
        );
        const z = logits.map(Math.exp);
        const s = z.reduce((a, b) => a + b, 0);
        rows.push(z.map((v) => v / s));
      }
    const probs = Float32Array.from(rows.flat());
    const raw = rows.filter((r, i) => r.indexOf(Math.max(...r)) === truth[i]).length / rows.length;
    const { assigned, plateGroup } = assignPlateGroups(wells, probs, K, groups);
    const after = Array.from(assigned).filter((a, i) => a === truth[i]).length / truth.length;
    expect(after).toBeGreaterThan(raw + 0.15);
    for (const p of test)
      expect(plateGroup.get(`${p.experiment}/${p.plate}`)).toBe(groups.groupOf[p.classes[0]!]);
    // Distinct siRNA per plate.
    for (const p of test) {
      const idx = wells
        .map((w, i) => (w.experiment === p.experiment && w.plate === p.plate ? i : -1))
        .filter((i) => i >= 0);
      expect(new Set(idx.map((i) => assigned[i])).size).toBe(idx.length);
    }
  });

  it('picks a distinct group per plate when that scores best overall', () => {
    expect(
      choosePlateGroups(
        [
          [5, 4],
          [6, 1],
        ],
        2,
      ),
    ).toEqual([1, 0]);
    expect(
      choosePlateGroups(
        [
          [1, 2],
          [3, 1],
          [0, 9],
        ],
        2,
      ),
    ).toEqual([1, 0, 1]);
  });
});

describe('plates with more wells than the run has classes of their group', () => {
  it('are reported (the demo filled plate 1 against a run that knows 2 of its siRNAs)', () => {
    // Two groups of 2 known classes; plate 1 of T-1 holds 5 treatment wells, plate 2 holds 2.
    const groups = {
      groups: [
        [0, 1],
        [2, 3],
      ],
      groupOf: Int32Array.from([0, 0, 1, 1]),
    };
    const K = 4;
    const wells: AssignmentWell[] = [
      ...Array.from({ length: 5 }, () => ({ experiment: 'T-1', plate: 1, eligible: true })),
      ...Array.from({ length: 2 }, () => ({ experiment: 'T-1', plate: 2, eligible: true })),
    ];
    // Plate 1 leans to group 0, plate 2 to group 1.
    const probs = new Float32Array(wells.length * K);
    wells.forEach((w, i) => {
      const row = w.plate === 1 ? [0.4, 0.3, 0.2, 0.1] : [0.1, 0.2, 0.3, 0.4];
      probs.set(row, i * K);
    });
    const r = assignPlateGroups(wells, probs, K, groups);
    expect(r.overfull).toEqual([{ experiment: 'T-1', plate: 1, wells: 5, classes: 2 }]);
    // Its assigned classes repeat: 5 wells, 2 distinct classes.
    expect(new Set(Array.from(r.assigned.slice(0, 5))).size).toBe(2);
    const text = overfullWarning(r.overfull)!;
    expect(text).toContain('1 plate holds more treatment wells');
    expect(text).toContain('T-1 plate 1: 5 wells, 2 classes');
    expect(text).toContain('at least 3 of these wells');
    expect(overfullWarning([])).toBeNull();
  });
});
