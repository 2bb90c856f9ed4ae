// Display formatting shared by the screens: accuracy as a percent (one convention in charts and
// tables), durations for ETAs, and a dataset's name from its root folder.

/** 0.4567 → '45.7%'; null/undefined/NaN → '—' (never a made-up number). */
export function percent(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(digits)}%`;
}

/** Seconds → '42 s', '3 min 5 s', '2 h 10 min'; unknown → '—'. */
export function formatDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s) || s < 0) return '—';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** The last path segment of a dataset root (its name, as catalog/dataset-identity.ts names it). */
export function datasetName(root: string): string {
  return (
    root
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() || root
  );
}

/**
 * The recently opened dataset folder whose name (datasetName) is `name`, or null: what a link made
 * on another dataset can offer to open. `recent` is most recent first; the first match wins.
 */
export function recentDatasetNamed(name: string, recent: readonly string[]): string | null {
  return recent.find((root) => datasetName(root) === name) ?? null;
}
