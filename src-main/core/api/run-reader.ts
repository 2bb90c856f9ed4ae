// Reads training runs from the data folder's runs/ for the runs list and the metric curves:
// run.json (status), config.json, and metrics.jsonl (one JSON object per line; a torn last line is skipped).
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { EpochMetric, RunSummary, StepMetric, TrainConfig } from '../../../src-shared/contract';
import { notFound } from '../errors';
import { readRunInfo, runPath } from '../learn/runs/run-folder';

type RunSummaryT = z.infer<typeof RunSummary>;

export function runDirOf(runsDir: string, runId: string): string {
  const dir = path.join(runsDir, runId);
  if (!fs.existsSync(runPath(dir, 'run'))) throw notFound(`no run ${runId}`, { runId });
  return dir;
}

/** Runs newest first; a run marked running that this process is not running is reported as interrupted. */
export function listRuns(runsDir: string, isLive: (runId: string) => boolean): RunSummaryT[] {
  if (!fs.existsSync(runsDir)) return [];
  const out: RunSummaryT[] = [];
  for (const name of fs.readdirSync(runsDir)) {
    const dir = path.join(runsDir, name);
    if (!fs.existsSync(runPath(dir, 'run'))) continue;
    try {
      const info = readRunInfo(dir);
      const config = TrainConfig.parse(JSON.parse(fs.readFileSync(runPath(dir, 'config'), 'utf8')));
      const status = info.status === 'running' && !isLive(name) ? 'interrupted' : info.status;
      out.push({
        runId: name,
        createdAt: info.createdAt,
        status,
        config,
        backend: info.backend,
        epochsDone: info.epochsDone,
        bestValAccuracy: info.bestValAccuracy,
        imagesPerSecond: info.imagesPerSecond,
        warnings: info.warnings,
      });
    } catch (err) {
      // One unreadable run must not hide the others.
      console.warn(`skipping run ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function readRunMetrics(runDir: string): {
  steps: Array<z.infer<typeof StepMetric>>;
  epochs: Array<z.infer<typeof EpochMetric>>;
} {
  const file = runPath(runDir, 'metrics');
  const steps: Array<z.infer<typeof StepMetric>> = [];
  const epochs: Array<z.infer<typeof EpochMetric>> = [];
  if (!fs.existsSync(file)) return { steps, epochs };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let m: { type?: unknown };
    try {
      m = JSON.parse(line) as { type?: unknown };
    } catch {
      continue;
    }
    if (m.type === 'step') {
      const r = StepMetric.safeParse(m);
      if (r.success) steps.push(r.data);
    } else if (m.type === 'epoch') {
      const r = EpochMetric.safeParse(m);
      if (r.success) epochs.push(r.data);
    }
  }
  return { steps, epochs };
}
