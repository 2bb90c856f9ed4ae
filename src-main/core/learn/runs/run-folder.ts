// The run folder: config.json, split.json, classes.json, run.json (status), metrics.jsonl,
// review-exclusions.json, checkpoints/, best/, predictions/ and manifest.json (sha256 of every
// file, for reproducibility).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { TrainConfig, type CheckpointRef, type RunStatus } from '../../../../src-shared/contract';
import type { ClassList } from '../data/classes';
import type { SplitResult } from '../data/split';
import {
  BestInfoFile,
  CheckpointStateFile,
  ClassListFile,
  ManifestFile,
  readRunFile,
  ReviewExclusionsFile,
  RunInfoFile,
  SplitFile,
} from './run-files';
import { inputError } from '../../errors';
import { isAtomicWriteLeftover, writeJsonAtomic } from '../../util/atomic-write';

export type { CheckpointRef };

export const runFiles = {
  config: 'config.json',
  split: 'split.json',
  classes: 'classes.json',
  run: 'run.json',
  metrics: 'metrics.jsonl',
  manifest: 'manifest.json',
  checkpoints: 'checkpoints',
  best: 'best',
  predictions: 'predictions',
  reviewExclusions: 'review-exclusions.json',
  /** Saliency maps (learn/explain/saliency.ts), a cache: safe to delete. */
  explain: 'explain',
  /** An ensemble folder's members and weights (learn/predict/ensemble.ts); absent in a training run. */
  ensemble: 'ensemble.json',
} as const;

export type { RunStatus };

/** run.json's shape (schema: run-files.ts RunInfoFile). */
export type RunInfo = z.infer<typeof RunInfoFile>;

export function runPath(runDir: string, name: keyof typeof runFiles): string {
  return path.join(runDir, runFiles[name]);
}

/** config.json: the run's training config (validated by the contract's TrainConfig). */
export function readRunConfig(runDir: string): TrainConfig {
  return readRunFile(runPath(runDir, 'config'), TrainConfig, 'training config');
}

/** classes.json: the run's class list. */
export function readClassList(runDir: string): ClassList {
  return readRunFile(runPath(runDir, 'classes'), ClassListFile, 'class list');
}

/** split.json: the run's train/validation wells. */
export function readSplit(runDir: string): SplitResult {
  return readRunFile(runPath(runDir, 'split'), SplitFile, 'train/validation split');
}

export type ReviewExclusionsRecord = z.infer<typeof ReviewExclusionsFile>;

/** review-exclusions.json: the review decisions the run was made with; null in runs from before it. */
export function readReviewExclusions(runDir: string): ReviewExclusionsRecord | null {
  const file = runPath(runDir, 'reviewExclusions');
  if (!fs.existsSync(file)) return null;
  return readRunFile(file, ReviewExclusionsFile, 'review exclusion list');
}

/** run.json: the run's status and provenance. */
export function readRunInfo(runDir: string): RunInfo {
  return readRunFile(runPath(runDir, 'run'), RunInfoFile, 'run status');
}

export function updateRunInfo(runDir: string, patch: Partial<RunInfo>): RunInfo {
  const next = { ...readRunInfo(runDir), ...patch, updatedAt: new Date().toISOString() };
  writeJsonAtomic(runPath(runDir, 'run'), next);
  return next;
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.includes('.tmp-') || isAtomicWriteLeftover(e.name)) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(full, base));
    else if (e.isFile()) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export type Manifest = z.infer<typeof ManifestFile>;

/** Rewrites manifest.json from the files now in the run folder. */
export function writeManifest(runDir: string): Manifest {
  const files: Manifest['files'] = {};
  for (const rel of listFiles(runDir)) {
    if (rel === runFiles.manifest) continue;
    const full = path.join(runDir, rel);
    files[rel] = { sha256: sha256File(full), bytes: fs.statSync(full).size };
  }
  const manifest = { files };
  writeJsonAtomic(runPath(runDir, 'manifest'), manifest);
  return manifest;
}

/**
 * Files whose content no longer matches the manifest (changed, missing or unlisted), as
 * 'rel/path: changed'. `under`: only files in that subfolder of the run (e.g. 'best').
 */
export function verifyManifest(runDir: string, under?: string): string[] {
  const manifest = readRunFile(runPath(runDir, 'manifest'), ManifestFile, 'manifest');
  const problems: string[] = [];
  const inScope = (rel: string) => under === undefined || rel.startsWith(`${under}/`);
  const present = new Set(listFiles(runDir).filter((f) => f !== runFiles.manifest && inScope(f)));
  for (const [rel, info] of Object.entries(manifest.files)) {
    if (!inScope(rel)) continue;
    if (!present.has(rel)) problems.push(`${rel}: missing`);
    else if (sha256File(path.join(runDir, rel)) !== info.sha256) problems.push(`${rel}: changed`);
    present.delete(rel);
  }
  for (const rel of present) problems.push(`${rel}: not in manifest`);
  return problems;
}

/** 'best (epoch 2)', 'checkpoints/step-000000012 (epoch 1, mid-epoch)': a checkpoint in a message. */
export function describeCheckpoint(c: CheckpointRef | null | undefined): string {
  if (!c) return 'unknown checkpoint';
  const epoch = c.epoch === null ? '' : ` (epoch ${c.epoch}${c.midEpoch ? ', mid-epoch' : ''})`;
  return `${c.path}${epoch}`;
}

/**
 * Checks the weights folder `weightsDir` (best/ or a checkpoint) against manifest.json before
 * they are loaded and says which weights they are. Throws an input error naming the file when a
 * file there is changed, missing, not recorded in the manifest, or the manifest itself is absent.
 */
export function verifyCheckpoint(runDir: string, weightsDir: string): CheckpointRef {
  const rel = path.relative(runDir, weightsDir).split(path.sep).join('/');
  const manifestFile = runPath(runDir, 'manifest');
  if (!fs.existsSync(manifestFile))
    throw inputError(
      `${manifestFile}: missing, so the weights in ${path.join(runDir, rel)} cannot be verified`,
    );
  const problems = verifyManifest(runDir, rel);
  if (problems.length)
    throw inputError(
      `${path.join(runDir, problems[0]!.split(':')[0]!)}: does not match the run's manifest.json (${problems.join('; ')}); the weights may be damaged or from another run`,
    );
  const manifest = readRunFile(manifestFile, ManifestFile, 'manifest');
  const sha256 = manifest.files[`${rel}/weights.bin`]?.sha256;
  if (!sha256) throw inputError(`${path.join(weightsDir, 'weights.bin')}: not in manifest.json`);
  let epoch: number | null = null;
  let midEpoch = false;
  try {
    if (rel === runFiles.best) {
      const info = readRunFile(
        path.join(weightsDir, 'info.json'),
        BestInfoFile,
        'best-weights info',
      );
      epoch = info.epoch + 1;
    } else {
      const state = readRunFile(
        path.join(weightsDir, 'state.json'),
        CheckpointStateFile,
        'checkpoint state',
      );
      epoch = state.epoch;
      midEpoch = state.stepInEpoch > 0;
    }
  } catch {
    // Verified weights without their small info file still load; the epoch is just unknown.
  }
  return { path: rel, epoch, midEpoch, sha256 };
}
