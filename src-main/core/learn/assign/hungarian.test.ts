// The Hungarian solver against brute force on many small random matrices, square and rectangular.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../util/rng';
import { assignmentCost, hungarian } from './hungarian';

/** Minimum over all injective maps of the smaller side into the larger. */
function bruteForce(cost: number[][]): number {
  const n = cost.length;
  const m = cost[0]!.length;
  let best = Infinity;
  if (n <= m) {
    const used = new Array<boolean>(m).fill(false);
    const rec = (i: number, acc: number): void => {
      if (i === n) return void (best = Math.min(best, acc));
      for (let j = 0; j < m; j++)
        if (!used[j]) {
          used[j] = true;
          rec(i + 1, acc + cost[i]![j]!);
          used[j] = false;
        }
    };
    rec(0, 0);
    return best;
  }
  return bruteForce(Array.from({ length: m }, (_, j) => cost.map((r) => r[j]!)));
}

describe('hungarian', () => {
  it('matches brute force on 600 random matrices up to 7×7, including rectangular and ties', () => {
    for (let seed = 0; seed < 600; seed++) {
      const rng = new SeededRng(seed);
      const n = 1 + rng.int(7);
      const m = 1 + rng.int(7);
      const integer = seed % 3 === 0; // small integer costs create many ties
      const cost = Array.from({ length: n }, () =>
        Array.from({ length: m }, () => (integer ? rng.int(4) : rng.next() * 10 - 3)),
      );
      const a = hungarian(cost);
      const assigned = Array.from(a).filter((j) => j >= 0);
      expect(assigned.length).toBe(Math.min(n, m));
      expect(new Set(assigned).size).toBe(assigned.length);
      expect(assignmentCost(cost, a)).toBeCloseTo(bruteForce(cost), 9);
    }
  });

  it('handles empty input and a known 3×3 case', () => {
    expect(hungarian([]).length).toBe(0);
    const a = hungarian([
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ]);
    expect(Array.from(a)).toEqual([1, 0, 2]);
  });
});
