// Time left of a running job from its progress over time (training progress advances on every
// optimisation step, so the estimate is live within the first epoch, not only at epoch ends).

export interface ProgressSample {
  /** Milliseconds (any clock, same for both samples). */
  t: number;
  /** Job progress 0–1. */
  p: number;
}

/**
 * Seconds left, assuming the rate between `first` and `last` holds:
 * (t_last − t_first) · (1 − p_last) / (p_last − p_first). Null until the job has advanced at all
 * over at least `minMs` (a long run moves by tiny fractions per step, so any advance counts).
 */
export function etaFromProgress(
  first: ProgressSample | null,
  last: ProgressSample | null,
  minMs = 2000,
): number | null {
  if (!first || !last) return null;
  const dp = last.p - first.p;
  const dt = last.t - first.t;
  if (!(dp > 0) || dt < minMs) return null;
  return ((dt / 1000) * Math.max(0, 1 - last.p)) / dp;
}
