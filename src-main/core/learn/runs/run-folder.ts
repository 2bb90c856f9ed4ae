// The run folder: config.json, split.json, classes.json, run.json (status), metrics.jsonl,
// checkpoints/, best/, predictions/ and manifest.json (sha256 of every file, for reproducibility).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inputError } from '../../errors';

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
} as const;

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface RunInfo {
  runId: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  backend: string;
  /** Absolute path of the catalog the run was trained from. */
  dbFile: string;
  pid: number | null;
  epochsDone: number;
  bestValAccuracy: number | null;
  imagesPerSecond: number | null;
  warnings: string[];
  error: string | null;
}

export function runPath(runDir: string, name: keyof typeof runFiles): string {
  return path.join(runDir, runFiles[name]);
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw inputError(`${file}: cannot read (is this a run folder?)`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw inputError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
}

export function readRunInfo(runDir: string): RunInfo {
  return readJson<RunInfo>(runPath(runDir, 'run'));
}

export function updateRunInfo(runDir: string, patch: Partial<RunInfo>): RunInfo {
  const next = { ...readRunInfo(runDir), ...patch, updatedAt: new Date().toISOString() };
  writeJsonAtomic(runPath(runDir, 'run'), next);
  return next;
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.includes('.tmp-')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(full, base));
    else if (e.isFile()) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export interface Manifest {
  files: Record<string, { sha256: string; bytes: number }>;
}

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

/** Files whose content no longer matches the manifest (changed, missing or unlisted). */
export function verifyManifest(runDir: string): string[] {
  const manifest = readJson<Manifest>(runPath(runDir, 'manifest'));
  const problems: string[] = [];
  const present = new Set(listFiles(runDir).filter((f) => f !== runFiles.manifest));
  for (const [rel, info] of Object.entries(manifest.files)) {
    if (!present.has(rel)) problems.push(`${rel}: missing`);
    else if (sha256File(path.join(runDir, rel)) !== info.sha256) problems.push(`${rel}: changed`);
    present.delete(rel);
  }
  for (const rel of present) problems.push(`${rel}: not in manifest`);
  return problems;
}
