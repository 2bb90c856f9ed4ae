// Learns the siRNA plate groups from training metadata: siRNAs that share a plate belong to the same
// group (union–find over co-occurrence). On RxRx1 this yields the 4 disjoint groups of 277.

export interface PlateClasses {
  plateKey: string;
  classes: number[];
}

export interface PlateGroups {
  groups: number[][];
  /** Group index of each class, -1 for classes never seen on a training plate. */
  groupOf: Int32Array;
}

export function learnGroups(plates: PlateClasses[], numClasses: number): PlateGroups {
  const parent = Int32Array.from({ length: numClasses }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const seen = new Uint8Array(numClasses);
  for (const p of plates) {
    const cs = p.classes.filter((c) => c >= 0 && c < numClasses);
    for (const c of cs) seen[c] = 1;
    for (let i = 1; i < cs.length; i++) {
      const a = find(cs[0]!);
      const b = find(cs[i]!);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let c = 0; c < numClasses; c++) {
    if (!seen[c]) continue;
    const r = find(c);
    if (!byRoot.has(r)) byRoot.set(r, []);
    byRoot.get(r)!.push(c);
  }
  const groups = [...byRoot.values()].sort((a, b) => a[0]! - b[0]!);
  const groupOf = new Int32Array(numClasses).fill(-1);
  groups.forEach((g, gi) => g.forEach((c) => (groupOf[c] = gi)));
  return { groups, groupOf };
}

/**
 * The plate groups of a run's training wells: the treatment siRNAs (site 1 rows, so one per well)
 * of each training plate among `rows`, as indexes into `labels` (classes not in `labels` skipped),
 * fed to learnGroups.
 */
export function groupsFromTrainingRows(
  rows: Array<{
    split: string;
    wellType: string;
    idCode: string;
    site: number;
    sirna: string | null;
    experiment: string;
    plate: number;
  }>,
  trainWells: Set<string>,
  labels: string[],
): PlateGroups {
  const index = new Map(labels.map((l, i) => [l, i]));
  const perPlate = new Map<string, number[]>();
  for (const r of rows) {
    if (r.split !== 'train' || r.wellType !== 'treatment' || r.site !== 1 || r.sirna === null)
      continue;
    if (!trainWells.has(r.idCode)) continue;
    const c = index.get(r.sirna);
    if (c === undefined) continue;
    const key = `${r.experiment}/${r.plate}`;
    perPlate.set(key, [...(perPlate.get(key) ?? []), c]);
  }
  return learnGroups(
    [...perPlate].map(([plateKey, classes]) => ({ plateKey, classes })),
    labels.length,
  );
}
