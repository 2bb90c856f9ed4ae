// The run every run picker starts on: the newest completed run of the open dataset (README "the
// default is the newest completed one"), and when a picker switches to it by itself.
import type { RunSummary } from '../../../src-shared/contract';

/** True for a run trained on another (or an unrecorded) dataset. */
export const isForeignRun = (r: RunSummary) =>
  r.datasetMatch === 'other' || r.datasetMatch === 'unknown';

/** The default: the newest completed run of the open dataset (`list` is newest first), or null. */
export function defaultRun(list: readonly RunSummary[]): string | null {
  return list.find((r) => r.status === 'done' && !isForeignRun(r))?.runId ?? null;
}

/**
 * What a loaded picker switches to by itself, or undefined to keep `runId`: a run not in `list`
 * (another dataset's, after switching datasets) is never kept silently, and no run means the
 * default, except where the user cleared the run on purpose (`cleared`, only in a clearable picker).
 */
export function autoRun(
  list: readonly RunSummary[],
  runId: string | null,
  opts: { clearable: boolean; cleared: boolean },
): string | null | undefined {
  if (runId !== null && !list.some((r) => r.runId === runId))
    return opts.clearable && opts.cleared ? null : defaultRun(list);
  if (runId === null && !(opts.clearable && opts.cleared)) {
    const d = defaultRun(list);
    return d ?? undefined;
  }
  return undefined;
}
