// Run listing and metrics for the API: every run folder under a runs root as a RunSummary (a run
// marked running whose process is gone shows as 'interrupted'), and its step/epoch metrics.
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../../../src-shared/contract';
import { matchDataset, type DatasetRef } from '../../catalog/dataset-identity';
import type { EpochMetric, StepMetric } from '../train/messages';
import { readRunConfig, readRunInfo, runPath, type RunInfo, type RunStatus } from './run-folder';
import { parseMetricsLines } from './run-files';

/** Whether a process with this pid is alive on this machine (signal 0; null/0 → false). */
export function alive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The status to show: a run marked running whose process is gone is 'interrupted'. */
export function effectiveStatus(info: RunInfo): RunStatus {
  return info.status === 'running' && !alive(info.pid) ? 'interrupted' : info.status;
}

/** A run folder's summary; `current`: the open dataset, which `datasetMatch` compares with. */
export function runSummary(runDir: string, current?: DatasetRef | null): RunSummary {
  const info = readRunInfo(runDir);
  const config = readRunConfig(runDir);
  const status = effectiveStatus(info);
  return {
    runId: info.runId,
    createdAt: info.createdAt,
    status,
    config,
    dataset: info.dataset ?? null,
    datasetMatch: current ? matchDataset(info.dataset, current, info.dbFile) : null,
    backend: info.backend,
    epochsDone: info.epochsDone,
    bestValAccuracy: info.bestValAccuracy,
    imagesPerSecond: info.imagesPerSecond,
    warnings: info.error ? [...info.warnings, `failed: ${info.error}`] : info.warnings,
    reviewExcluded: info.reviewExcluded ?? null,
    classCoverage: info.classCoverage ?? null,
  };
}

/** Runs under a folder, newest first; folders that are not runs are skipped. */
export function listRuns(runsRoot: string, current?: DatasetRef | null): RunSummary[] {
  if (!fs.existsSync(runsRoot)) return [];
  const out: RunSummary[] = [];
  for (const e of fs.readdirSync(runsRoot, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const dir = path.join(runsRoot, e.name);
    if (!fs.existsSync(runPath(dir, 'run')) || !fs.existsSync(runPath(dir, 'config'))) continue;
    try {
      out.push(runSummary(dir, current));
    } catch {
      // A half-written run folder (crash during creation) is not listed.
    }
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

/**
 * Step and epoch metrics of a run, validated line by line (run-files.ts `parseMetricsLines`): a
 * torn last line (kill during a write) is ignored, any other bad line is an input error.
 */
export function readRunMetrics(runDir: string): { steps: StepMetric[]; epochs: EpochMetric[] } {
  const file = runPath(runDir, 'metrics');
  const steps: StepMetric[] = [];
  const epochs: EpochMetric[] = [];
  if (!fs.existsSync(file)) return { steps, epochs };
  for (const m of parseMetricsLines(fs.readFileSync(file, 'utf8'), file)) {
    const { type, ...rest } = m;
    if (type === 'step') steps.push(rest as StepMetric);
    else epochs.push(rest as EpochMetric);
  }
  return { steps, epochs };
}
