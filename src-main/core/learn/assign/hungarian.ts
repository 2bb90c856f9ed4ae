// Minimum-cost linear assignment (Hungarian method with row potentials and shortest augmenting
// paths, O(n²·m)). Rectangular matrices are fine: every row of the smaller side gets a distinct column.

/**
 * cost[i][j] for i < rows, j < cols. Returns, for each row, its column (or -1 when there are more
 * rows than columns and the row is left out).
 */
export function hungarian(cost: ArrayLike<number>[], cols?: number): Int32Array {
  const n = cost.length;
  const m = cols ?? (n ? cost[0]!.length : 0);
  if (n === 0) return new Int32Array(0);
  if (n > m) {
    // Solve the transpose (columns as rows) and invert the matching.
    const t: Float64Array[] = Array.from({ length: m }, (_, j) =>
      Float64Array.from({ length: n }, (_, i) => cost[i]![j]!),
    );
    const colRow = hungarian(t, n);
    const out = new Int32Array(n).fill(-1);
    colRow.forEach((i, j) => {
      if (i >= 0) out[i] = j;
    });
    return out;
  }
  // 1-based arrays as in the classic formulation: p[j] = row matched to column j (0 = none).
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(INF);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      const row = cost[i0 - 1]!;
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = row[j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) out[p[j]! - 1] = j - 1;
  return out;
}

/** Total cost of an assignment (rows with -1 are skipped). */
export function assignmentCost(cost: ArrayLike<number>[], rowCol: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < rowCol.length; i++) if (rowCol[i]! >= 0) s += cost[i]![rowCol[i]!]!;
  return s;
}
