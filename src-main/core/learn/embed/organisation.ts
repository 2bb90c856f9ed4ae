// How much a prediction set's well embeddings are organised by batch (experiment) rather than by
// class (siRNA): k-nearest-neighbour same-group fractions against their chance levels, and
// silhouette scores, all on the column-standardised embedding with Euclidean distances.
import type { EmbeddingOrganisation } from '../../../../src-shared/contract';
import { inputError, throwIfCancelled } from '../../errors';

/** Neighbours per well by default (the issue's k = 10). */
export const DEFAULT_K = 10;

/**
 * Column-standardised copy of `values` (n × dims, row-major): z = (x − mean) / sd per column with
 * the population sd; a constant column becomes 0 (it carries no distance). Float64 out.
 */
export function standardiseColumns(
  values: ArrayLike<number>,
  n: number,
  dims: number,
): Float64Array {
  const out = new Float64Array(n * dims);
  for (let d = 0; d < dims; d++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[i * dims + d]!;
    const mean = n > 0 ? sum / n : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i * dims + d]! - mean;
      ss += v * v;
    }
    const sd = n > 0 ? Math.sqrt(ss / n) : 0;
    for (let i = 0; i < n; i++)
      out[i * dims + d] = sd > 0 ? (values[i * dims + d]! - mean) / sd : 0;
  }
  return out;
}

/** One turn of the event loop, so a cancel message can arrive during long synchronous work. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Group labels of the wells, in embedding row order; `sirna` null = not in the siRNA numbers. */
export interface OrganisationGroups {
  experiment: readonly string[];
  cellType: readonly string[];
  /** The true class of a treatment well with a known label, else null (test wells, controls). */
  sirna: readonly (number | null)[];
}

export interface OrganisationOptions {
  k?: number;
  signal?: AbortSignal;
  /** Rows done of n (the pass is one row of distances per well). */
  onProgress?(done: number, total: number): void;
}

/** Dense group ids 0..G−1 of `labels` (first appearance order) and each group's size. */
function groupIds<T>(labels: readonly T[]): { ids: Int32Array; sizes: number[] } {
  const index = new Map<T, number>();
  const ids = new Int32Array(labels.length);
  const sizes: number[] = [];
  labels.forEach((l, i) => {
    let g = index.get(l);
    if (g === undefined) {
      g = sizes.length;
      index.set(l, g);
      sizes.push(0);
    }
    ids[i] = g;
    sizes[g]!++;
  });
  return { ids, sizes };
}

/**
 * Chance level of a same-group neighbour fraction: the expected fraction when a well's neighbours
 * are drawn uniformly from the other n − 1 wells, averaged over wells:
 * Σ_g n_g (n_g − 1) / (n (n − 1)), n_g the group sizes (n = Σ n_g ≥ 2).
 */
export function chanceSameGroup(sizes: readonly number[]): number {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n < 2) return 0;
  return sizes.reduce((a, g) => a + g * (g - 1), 0) / (n * (n - 1));
}

/**
 * The highest same-group neighbour fraction possible with k neighbours: a well of a group of n_g
 * can have at most min(k, n_g − 1) of its k neighbours in its group, so the ceiling is
 * Σ_g n_g · min(k, n_g − 1) / (k · n). With few wells per siRNA (4 on a validation split) it is far
 * below 1 (0.3 for k = 10), so comparing groupings needs it.
 */
export function maxSameGroup(sizes: readonly number[], k: number): number {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n < 2 || k < 1) return 0;
  return sizes.reduce((a, g) => a + g * Math.min(k, g - 1), 0) / (k * n);
}

/** Keeps the k smallest distances seen (indices in `idx`, ascending by distance; ties: first seen). */
class Nearest {
  readonly idx: Int32Array;
  private readonly dist: Float64Array;
  count = 0;
  constructor(readonly k: number) {
    this.idx = new Int32Array(k);
    this.dist = new Float64Array(k);
  }
  reset(): void {
    this.count = 0;
  }
  offer(j: number, d: number): void {
    if (this.k === 0) return;
    if (this.count === this.k && d >= this.dist[this.k - 1]!) return;
    let p = this.count < this.k ? this.count++ : this.k - 1;
    while (p > 0 && this.dist[p - 1]! > d) {
      this.dist[p] = this.dist[p - 1]!;
      this.idx[p] = this.idx[p - 1]!;
      p--;
    }
    this.dist[p] = d;
    this.idx[p] = j;
  }
}

/** Silhouette of one well: (b − a) / max(a, b) (0 for a singleton group or a = b = 0). */
function silhouetteOf(sums: Float64Array, sizes: readonly number[], own: number): number {
  if (sizes[own]! <= 1) return 0;
  const a = sums[own]! / (sizes[own]! - 1);
  let b = Infinity;
  for (let g = 0; g < sizes.length; g++)
    if (g !== own && sizes[g]! > 0) b = Math.min(b, sums[g]! / sizes[g]!);
  const m = Math.max(a, b);
  return m > 0 ? (b - a) / m : 0;
}

/**
 * The organisation numbers of an embedding (n × dims float, row i = well i), standardised per
 * column first (`standardiseColumns`), Euclidean distances, each well excluded from its own
 * neighbours:
 * - sameExperiment / sameCellType: mean over all wells of the fraction of its k nearest wells
 *   (k = min(k, n − 1)) sharing its experiment / cell type; chance: `chanceSameGroup`.
 * - sameSirna: the same among the wells with a known siRNA only (neighbours drawn from them too);
 *   null when fewer than 2 such wells.
 * - silhouetteExperiment / silhouetteSirna: mean silhouette s(i) = (b − a) / max(a, b), a the mean
 *   distance to the rest of i's group, b the smallest mean distance to another group (Rousseeuw
 *   1987, J. Comput. Appl. Math. 20:53–65; s = 0 for a singleton); null with fewer than 2 groups.
 * Cost: n² · dims (one row of distances per well), yielding a turn every 64 rows. Errors: INVALID_INPUT for fewer than 2 wells or
 * mismatched lengths; CANCELLED through `signal`.
 */
export async function embeddingOrganisation(
  values: ArrayLike<number>,
  dims: number,
  groups: OrganisationGroups,
  opts: OrganisationOptions = {},
): Promise<EmbeddingOrganisation> {
  const n = groups.experiment.length;
  if (n < 2) throw inputError(`the organisation numbers need at least 2 wells, got ${n}`);
  if (values.length !== n * dims || groups.cellType.length !== n || groups.sirna.length !== n)
    throw inputError(
      `embedding of ${values.length} values does not match ${n} wells × ${dims} dims and their groups`,
    );
  const kReq = opts.k ?? DEFAULT_K;
  const x = standardiseColumns(values, n, dims);
  const exp = groupIds(groups.experiment);
  const cell = groupIds(groups.cellType);
  const labelled: number[] = [];
  groups.sirna.forEach((s, i) => {
    if (s !== null) labelled.push(i);
  });
  const isLabelled = groups.sirna.map((s) => s !== null);
  const sir = groupIds(labelled.map((i) => groups.sirna[i]!));
  const sirOf = new Int32Array(n).fill(-1);
  labelled.forEach((i, li) => (sirOf[i] = sir.ids[li]!));
  const m = labelled.length;

  const k = Math.min(kReq, n - 1);
  const kS = Math.min(kReq, Math.max(0, m - 1));
  const near = new Nearest(k);
  const nearS = new Nearest(kS);
  const dist = new Float64Array(n);
  const expSums = new Float64Array(exp.sizes.length);
  const sirSums = new Float64Array(sir.sizes.length);
  let fracExp = 0;
  let fracCell = 0;
  let fracSir = 0;
  let silExp = 0;
  let silSir = 0;
  for (let i = 0; i < n; i++) {
    if (i % 64 === 0) {
      await yieldTurn();
      throwIfCancelled(opts.signal);
      opts.onProgress?.(i, n);
    }
    const oi = i * dims;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const oj = j * dims;
      let s = 0;
      for (let d = 0; d < dims; d++) {
        const v = x[oi + d]! - x[oj + d]!;
        s += v * v;
      }
      dist[j] = Math.sqrt(s);
    }
    near.reset();
    expSums.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      near.offer(j, dist[j]!);
      expSums[exp.ids[j]!]! += dist[j]!;
    }
    let se = 0;
    let sc = 0;
    for (let q = 0; q < near.count; q++) {
      const j = near.idx[q]!;
      if (exp.ids[j] === exp.ids[i]) se++;
      if (cell.ids[j] === cell.ids[i]) sc++;
    }
    fracExp += se / k;
    fracCell += sc / k;
    silExp += silhouetteOf(expSums, exp.sizes, exp.ids[i]!);
    if (isLabelled[i] && kS > 0) {
      nearS.reset();
      sirSums.fill(0);
      for (const j of labelled) {
        if (j === i) continue;
        nearS.offer(j, dist[j]!);
        sirSums[sirOf[j]!]! += dist[j]!;
      }
      let ss = 0;
      for (let q = 0; q < nearS.count; q++) if (sirOf[nearS.idx[q]!] === sirOf[i]) ss++;
      fracSir += ss / kS;
      silSir += silhouetteOf(sirSums, sir.sizes, sirOf[i]!);
    }
  }
  opts.onProgress?.(n, n);

  const sameExperiment = fracExp / n;
  const sameExperimentChance = chanceSameGroup(exp.sizes);
  const sirnaOk = m >= 2;
  const sameSirna = sirnaOk ? fracSir / m : null;
  const sameSirnaChance = sirnaOk ? chanceSameGroup(sir.sizes) : null;
  const result: EmbeddingOrganisation = {
    k,
    sameExperiment,
    sameExperimentChance,
    sameExperimentMax: maxSameGroup(exp.sizes, k),
    sameSirna,
    sameSirnaChance,
    sameSirnaMax: sirnaOk ? maxSameGroup(sir.sizes, kS) : null,
    sameCellType: fracCell / n,
    sameCellTypeChance: chanceSameGroup(cell.sizes),
    silhouetteExperiment: exp.sizes.length >= 2 ? silExp / n : null,
    silhouetteSirna: sirnaOk && sir.sizes.length >= 2 ? silSir / m : null,
    wells: n,
    sirnaWells: m,
    verdict: 'unknown',
    note: '',
  };
  result.verdict = organisationVerdict(result);
  result.note = organisationNote(result);
  return result;
}

const pct = (v: number): string => `${(100 * v).toFixed(0)}%`;
const times = (v: number, chance: number): string =>
  chance > 0 ? `${(v / chance).toFixed(1)}× chance` : 'chance 0';

/**
 * Above-chance share of a neighbour fraction, (same − chance) / (max − chance): 0 at chance, 1 at
 * the highest fraction the group sizes allow (`maxSameGroup`; the chance correction of Cohen's κ,
 * with its ceiling the achievable maximum rather than 1), so groupings with very different chance
 * levels and ceilings (4 experiments of 32 wells vs 32 siRNAs of 4) compare fairly.
 */
export function aboveChance(same: number, chance: number, max = 1): number {
  return max <= chance ? 0 : (same - chance) / (max - chance);
}

/** Above-chance shares closer than this are a tie; both under it is "neither". */
export const VERDICT_MARGIN = 0.05;

/**
 * What the embedding is organised by: 'batch' (experiment) or 'class' (siRNA) when its above-chance
 * share leads by ≥ VERDICT_MARGIN, 'tie' when within it, 'neither' when both are under it,
 * 'unknown' without siRNA numbers. The one rule the CLI note and the embedding screen both show.
 */
export function organisationVerdict(
  o: Pick<
    EmbeddingOrganisation,
    | 'sameExperiment'
    | 'sameExperimentChance'
    | 'sameExperimentMax'
    | 'sameSirna'
    | 'sameSirnaChance'
    | 'sameSirnaMax'
  >,
): EmbeddingOrganisation['verdict'] {
  if (o.sameSirna === null || o.sameSirnaChance === null) return 'unknown';
  const batch = aboveChance(o.sameExperiment, o.sameExperimentChance, o.sameExperimentMax ?? 1);
  const cls = aboveChance(o.sameSirna, o.sameSirnaChance, o.sameSirnaMax ?? 1);
  if (batch < VERDICT_MARGIN && cls < VERDICT_MARGIN) return 'neither';
  if (Math.abs(batch - cls) < VERDICT_MARGIN) return 'tie';
  return batch > cls ? 'batch' : 'class';
}

const VERDICT_WORDS: Record<EmbeddingOrganisation['verdict'], string> = {
  batch: 'organised more by experiment (batch) than by siRNA',
  class: 'organised more by siRNA than by experiment (batch)',
  tie: 'organised about as much by experiment (batch) as by siRNA',
  neither: 'organised by neither experiment nor siRNA (both near chance)',
  unknown: 'no verdict without siRNA labels',
};

/** One line reading the numbers: neighbour fractions against chance and the verdict. */
export function organisationNote(o: EmbeddingOrganisation): string {
  const head = `of each well's ${o.k} nearest neighbours (standardised embedding, Euclidean) ${pct(o.sameExperiment)} share its experiment (chance ${pct(o.sameExperimentChance)}, ${times(o.sameExperiment, o.sameExperimentChance)})`;
  if (o.sameSirna === null || o.sameSirnaChance === null)
    return `${head}; no siRNA numbers: fewer than 2 treatment wells with a known label (test wells have none)`;
  return `${head}, ${pct(o.sameSirna)} its siRNA (chance ${pct(o.sameSirnaChance)}, ${times(o.sameSirna, o.sameSirnaChance)}${o.sameSirnaMax != null && o.sameSirnaMax < 0.995 ? `, at most ${pct(o.sameSirnaMax)}` : ''}; ${o.sirnaWells} labelled treatment wells): ${VERDICT_WORDS[organisationVerdict(o)]}`;
}
