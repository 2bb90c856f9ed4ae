// 2-D projections of well embeddings: PCA (ml-pca, on the column-standardised embedding; fast, on
// demand) and UMAP (umap-js, seeded so the same embedding gives the same picture; epoch progress,
// cancellable between epochs). Both return x and y per well, in embedding row order.
import { PCA } from 'ml-pca';
import { UMAP } from 'umap-js';
import { inputError, throwIfCancelled } from '../../errors';
import { SeededRng } from '../../util/rng';
import { standardiseColumns, yieldTurn } from './organisation';

export interface Projection2d {
  x: Float64Array;
  y: Float64Array;
}

/** UMAP's parameters (McInnes et al. 2018's defaults, n_neighbors capped by the well count). */
export interface UmapParams {
  nNeighbors: number;
  minDist: number;
  seed: number;
  /** 0 = umap-js's choice for the size (500 epochs up to 10,000 points, else 200). */
  nEpochs: number;
}

export const DEFAULT_UMAP: UmapParams = { nNeighbors: 15, minDist: 0.1, seed: 42, nEpochs: 0 };

/** Rows of a standardised n × dims embedding as number[][] (what umap-js takes). */
function rowsOf(z: Float64Array, n: number, dims: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(z.subarray(i * dims, (i + 1) * dims)));
}

/** Flips a component so its largest-magnitude coordinate is positive (eigenvector signs are arbitrary). */
function fixSign(v: Float64Array): void {
  let big = 0;
  for (const t of v) if (Math.abs(t) > Math.abs(big)) big = t;
  if (big < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i]!;
}

/**
 * The first two principal components of the standardised embedding (n × dims): the covariance
 * matrix (dims × dims, accumulated here in float64: n · dims² / 2 multiply-adds) decomposed by
 * ml-pca, then each well projected onto the two leading eigenvectors. y is 0 when there is only
 * one dimension. Errors: INVALID_INPUT for fewer than 2 wells.
 */
export function pcaProjection(values: ArrayLike<number>, n: number, dims: number): Projection2d {
  if (n < 2) throw inputError(`a projection needs at least 2 wells, got ${n}`);
  // Standardised columns have mean 0, so the covariance is ZᵀZ / (n − 1).
  const z = standardiseColumns(values, n, dims);
  const cov = new Float64Array(dims * dims);
  for (let i = 0; i < n; i++) {
    const o = i * dims;
    for (let a = 0; a < dims; a++) {
      const za = z[o + a]!;
      if (za === 0) continue;
      const row = a * dims;
      for (let b = a; b < dims; b++) cov[row + b]! += za * z[o + b]!;
    }
  }
  const covRows = Array.from({ length: dims }, (_, a) =>
    Array.from({ length: dims }, (_, b) =>
      a <= b ? cov[a * dims + b]! / (n - 1) : cov[b * dims + a]! / (n - 1),
    ),
  );
  const pca = new PCA(covRows, { isCovarianceMatrix: true });
  const u = pca.getEigenvectors();
  const comps = Math.min(2, dims);
  const out = [new Float64Array(n), new Float64Array(n)] as const;
  for (let c = 0; c < comps; c++) {
    const w = u.getColumn(c);
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let d = 0; d < dims; d++) t += z[i * dims + d]! * w[d]!;
      out[c][i] = t;
    }
    fixSign(out[c]);
  }
  return { x: out[0], y: out[1] };
}

/**
 * UMAP of the standardised embedding (n × dims) with `params` (nNeighbors capped at n − 1). The
 * random source is a SeededRng, so the same embedding and parameters give the same layout.
 * Progress counts epochs; `signal` cancels between epochs (checked every 10, after yielding a turn). Errors: INVALID_INPUT for fewer than
 * 3 wells; CANCELLED.
 */
export async function umapProjection(
  values: ArrayLike<number>,
  n: number,
  dims: number,
  params: UmapParams = DEFAULT_UMAP,
  ctl: {
    signal?: AbortSignal;
    onProgress?(done: number, total: number, message?: string): void;
  } = {},
): Promise<Projection2d> {
  if (n < 3) throw inputError(`UMAP needs at least 3 wells, got ${n}`);
  const rng = new SeededRng(params.seed);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(params.nNeighbors, n - 1)),
    minDist: params.minDist,
    ...(params.nEpochs > 0 ? { nEpochs: params.nEpochs } : {}),
    random: () => rng.next(),
  });
  ctl.onProgress?.(0, 1, 'UMAP: nearest neighbours');
  const epochs = umap.initializeFit(rowsOf(standardiseColumns(values, n, dims), n, dims));
  throwIfCancelled(ctl.signal);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) {
      // A turn of the event loop lets a cancel message in (this runs on a worker thread).
      await yieldTurn();
      throwIfCancelled(ctl.signal);
      ctl.onProgress?.(e, epochs, `UMAP: epoch ${e} of ${epochs}`);
    }
  }
  ctl.onProgress?.(epochs, epochs, 'UMAP: done');
  const emb = umap.getEmbedding();
  return {
    x: Float64Array.from(emb, (r) => r[0]!),
    y: Float64Array.from(emb, (r) => r[1]!),
  };
}
