// Everything a run folder fixes for later use (prediction, evaluation, resume): its config, class
// list, split and status.
import fs from 'node:fs';
import type { TrainConfig } from '../../../../src-shared/contract';
import { inputError } from '../../errors';
import type { ClassList } from '../data/classes';
import type { SplitResult } from '../data/split';
import { readJson, readRunInfo, runPath, type RunInfo } from './run-folder';

export interface RunContext {
  runDir: string;
  config: TrainConfig;
  classes: ClassList;
  split: SplitResult;
  info: RunInfo;
}

export function loadRunContext(runDir: string): RunContext {
  if (!fs.existsSync(runPath(runDir, 'run')))
    throw inputError(`${runDir}: not a run folder (no run.json)`);
  return {
    runDir,
    config: readJson<TrainConfig>(runPath(runDir, 'config')),
    classes: readJson<ClassList>(runPath(runDir, 'classes')),
    split: readJson<SplitResult>(runPath(runDir, 'split')),
    info: readRunInfo(runDir),
  };
}
