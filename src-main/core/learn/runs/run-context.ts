// Everything a run folder fixes for later use (prediction, evaluation, resume): its config, class
// list, split and status.
import fs from 'node:fs';
import type { TrainConfig } from '../../../../src-shared/contract';
import { inputError } from '../../errors';
import type { ClassList } from '../data/classes';
import type { SplitResult } from '../data/split';
import {
  readClassList,
  readRunConfig,
  readRunInfo,
  readSplit,
  runPath,
  type RunInfo,
} from './run-folder';

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
    config: readRunConfig(runDir),
    classes: readClassList(runDir),
    split: readSplit(runDir),
    info: readRunInfo(runDir),
  };
}
