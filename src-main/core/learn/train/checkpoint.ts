// Checkpoints: model weights (all, including batch-norm statistics), the optimiser's slots (SGD
// momentum, Adam moments) and update count, position (epoch, step) and RNG state, written to a temp folder and renamed into place so a kill at any
// moment leaves either the old or the new checkpoint, never half of one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { inputError, notFound } from '../../errors';
import { runFiles } from '../runs/run-folder';
import { BlobIndexFile, CheckpointStateFile, readRunFile } from '../runs/run-files';
import { writeFileAtomicSync, writeJsonAtomic } from '../../util/atomic-write';

/**
 * Position and provenance of a checkpoint (state.json; schema: learn/runs/run-files.ts
 * CheckpointStateFile): epoch to continue in (0-based), steps done inside it, RNG position.
 */
export type CheckpointState = z.infer<typeof CheckpointStateFile>;

export interface TensorBlob {
  shape: number[];
  values: Float32Array;
}

export interface Checkpoint {
  state: CheckpointState;
  weights: TensorBlob[];
  /** Optimiser slots in its `slots` order (stored as optimizer.bin/.json). */
  slots: TensorBlob[];
}

function writeBlobs(dir: string, name: string, blobs: TensorBlob[]): void {
  const total = blobs.reduce((s, b) => s + b.values.length, 0);
  const all = new Float32Array(total);
  const index: { shape: number[]; offset: number; length: number }[] = [];
  let off = 0;
  for (const b of blobs) {
    all.set(b.values, off);
    index.push({ shape: b.shape, offset: off, length: b.values.length });
    off += b.values.length;
  }
  writeFileAtomicSync(path.join(dir, `${name}.bin`), all);
  writeFileAtomicSync(path.join(dir, `${name}.json`), `${JSON.stringify(index)}\n`);
}

function readBlobs(dir: string, name: string): TensorBlob[] {
  const index = readRunFile(path.join(dir, `${name}.json`), BlobIndexFile, 'tensor index');
  const file = path.join(dir, `${name}.bin`);
  const buf = fs.readFileSync(file);
  const need = index.reduce((end, e) => Math.max(end, e.offset + e.length), 0);
  if (buf.byteLength !== 4 * need)
    throw inputError(
      `${file}: ${buf.byteLength} bytes, but its index (${name}.json) describes ${need} float32 values (${4 * need} bytes); the file is truncated or from another checkpoint`,
    );
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return index.map((e) => ({ shape: e.shape, values: all.slice(e.offset, e.offset + e.length) }));
}

function writeDirAtomic(target: string, fill: (dir: string) => void): void {
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(
    parent,
    `.tmp-${path.basename(target)}-${crypto.randomBytes(4).toString('hex')}`,
  );
  fs.mkdirSync(tmp);
  fill(tmp);
  const old = fs.existsSync(target)
    ? `${target}.tmp-old-${crypto.randomBytes(4).toString('hex')}`
    : null;
  if (old) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  if (old) fs.rmSync(old, { recursive: true, force: true });
}

const CKPT_RE = /^step-(\d{9})$/;

export function saveCheckpoint(runDir: string, ckpt: Checkpoint, keep = 2): string {
  const root = path.join(runDir, runFiles.checkpoints);
  const dir = path.join(root, `step-${String(ckpt.state.globalStep).padStart(9, '0')}`);
  writeDirAtomic(dir, (tmp) => {
    writeBlobs(tmp, 'weights', ckpt.weights);
    writeBlobs(tmp, 'optimizer', ckpt.slots);
    writeJsonAtomic(path.join(tmp, 'state.json'), ckpt.state);
  });
  const all = listCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep)))
    fs.rmSync(old, { recursive: true, force: true });
  return dir;
}

/** Checkpoint folders, oldest first. */
export function listCheckpoints(runDir: string): string[] {
  const root = path.join(runDir, runFiles.checkpoints);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((n) => CKPT_RE.test(n))
    .sort()
    .map((n) => path.join(root, n));
}

export function latestCheckpoint(runDir: string): string | null {
  return listCheckpoints(runDir).at(-1) ?? null;
}

export function loadCheckpoint(dir: string): Checkpoint {
  const state = readRunFile(path.join(dir, 'state.json'), CheckpointStateFile, 'checkpoint state');
  return { state, weights: readBlobs(dir, 'weights'), slots: readBlobs(dir, 'optimizer') };
}

/** Stores the weights of the best epoch in best/ (what prediction uses). */
export function saveBestWeights(
  runDir: string,
  weights: TensorBlob[],
  info: { epoch: number; valAccuracy: number | null },
): void {
  writeDirAtomic(path.join(runDir, runFiles.best), (tmp) => {
    writeBlobs(tmp, 'weights', weights);
    writeFileAtomicSync(path.join(tmp, 'info.json'), `${JSON.stringify(info)}\n`);
  });
}

/** The folder inference reads weights from: best/ when present, else the latest checkpoint. */
export function inferenceWeightsDir(runDir: string): string | null {
  const best = path.join(runDir, runFiles.best);
  if (fs.existsSync(path.join(best, 'weights.bin'))) return best;
  return latestCheckpoint(runDir);
}

/**
 * Weights for inference: best/ when present, else the latest checkpoint. Errors: not found when the
 * run has no checkpoint yet; input error naming the run when the weights file cannot be read.
 */
export function loadInferenceWeights(runDir: string): { weights: TensorBlob[]; source: string } {
  const source = inferenceWeightsDir(runDir);
  if (!source) throw notFound(`${runDir}: run has no checkpoint yet (train at least one epoch)`);
  try {
    return { weights: readBlobs(source, 'weights'), source };
  } catch (err) {
    // A damaged weights file: say which run and what is wrong rather than a bare parse error.
    throw inputError(`${runDir}: cannot read the model weights: ${(err as Error).message}`);
  }
}
