// ETA from job progress samples: a constant rate extrapolates exactly; too little progress or time
// gives no estimate rather than a wild one.
import { describe, expect, it } from 'vitest';
import { etaFromProgress } from './eta';

describe('etaFromProgress', () => {
  it('extrapolates the observed rate', () => {
    // 10 % in 20 s from 0.2 to 0.3 → the remaining 70 % take 140 s.
    expect(etaFromProgress({ t: 0, p: 0.2 }, { t: 20_000, p: 0.3 })).toBeCloseTo(140, 6);
    expect(etaFromProgress({ t: 5_000, p: 0 }, { t: 15_000, p: 1 })).toBe(0);
  });

  it('gives no estimate before the job has moved', () => {
    expect(etaFromProgress(null, { t: 10_000, p: 0.5 })).toBeNull();
    expect(etaFromProgress({ t: 0, p: 0.2 }, { t: 1_000, p: 0.4 })).toBeNull();
    expect(etaFromProgress({ t: 0, p: 0.2 }, { t: 60_000, p: 0.2 })).toBeNull();
  });
});
