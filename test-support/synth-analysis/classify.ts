// A nearest-centroid classifier (features scaled by their pooled within-class spread) for the
// generator's tests and benches: it measures how separable the synthetic classes are under a given
// feature set.

export interface Sample {
  features: number[];
  label: number;
}

/** Fits on `train`, returns the accuracy on `test` (0..1). */
export function nearestCentroidAccuracy(train: Sample[], test: Sample[]): number {
  if (train.length === 0 || test.length === 0) return 0;
  const dim = train[0]!.features.length;
  const groups = new Map<number, number[][]>();
  for (const s of train) {
    const g = groups.get(s.label) ?? [];
    g.push(s.features);
    groups.set(s.label, g);
  }
  const centroids = new Map<number, number[]>();
  for (const [label, g] of groups)
    centroids.set(
      label,
      Array.from({ length: dim }, (_, j) => g.reduce((a, f) => a + f[j]!, 0) / g.length),
    );
  // Pooled within-class variance: a feature counts by how well it separates classes, not its units.
  const variance = new Array<number>(dim).fill(0);
  for (const s of train) {
    const c = centroids.get(s.label)!;
    s.features.forEach((v, j) => (variance[j]! += (v - c[j]!) ** 2 / train.length));
  }
  const weight = variance.map((v) => (v > 1e-12 ? 1 / v : 0));
  let correct = 0;
  for (const s of test) {
    let best = Infinity;
    let bestLabel = -1;
    for (const [label, c] of centroids) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += weight[j]! * (s.features[j]! - c[j]!) ** 2;
      if (d < best) {
        best = d;
        bestLabel = label;
      }
    }
    if (bestLabel === s.label) correct++;
  }
  return correct / test.length;
}

/**
 * Standardises each feature within each batch (z-score per experiment). Every class appears in
 * every experiment, so the batch mean is a class-free estimate of the batch effect; this is the
 * usual per-plate/per-experiment normalisation of screening features.
 */
export function standardizeWithinBatches(
  rows: { batch: string; features: number[] }[],
): number[][] {
  const byBatch = new Map<string, number[][]>();
  for (const r of rows) {
    const list = byBatch.get(r.batch) ?? [];
    list.push(r.features);
    byBatch.set(r.batch, list);
  }
  const stats = new Map<string, { mean: number[]; sd: number[] }>();
  for (const [batch, list] of byBatch) {
    const dim = list[0]!.length;
    const mean = Array.from(
      { length: dim },
      (_, j) => list.reduce((a, f) => a + f[j]!, 0) / list.length,
    );
    const sd = mean.map(
      (m, j) => Math.sqrt(list.reduce((a, f) => a + (f[j]! - m) ** 2, 0) / list.length) || 1,
    );
    stats.set(batch, { mean, sd });
  }
  return rows.map((r) => {
    const s = stats.get(r.batch)!;
    return r.features.map((v, j) => (v - s.mean[j]!) / s.sd[j]!);
  });
}
