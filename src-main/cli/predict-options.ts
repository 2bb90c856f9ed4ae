// The prediction options `platelab predict` takes from its command line, shared by its single-run
// path and its ensemble branch (cli/commands/sweep.ts), with Ctrl-C as the cancel signal.
import { interruptSignal } from './output';
import type { PredictionSplit } from '../../src-shared/contract';

export interface PredictCliOpts {
  split: PredictionSplit;
  tta?: boolean;
  assign?: boolean;
  db?: string;
  backend?: string;
  allowOtherDataset?: boolean;
  allowIncomplete?: boolean;
}

/** The core's prediction options from the CLI flags; progress goes to `onProgress`. */
export function predictOptionsFrom(
  opts: PredictCliOpts,
  onProgress: (done: number, total: number, message: string) => void,
) {
  return {
    split: opts.split,
    tta: opts.tta,
    assign: opts.assign,
    dbFile: opts.db,
    backend: opts.backend,
    allowOtherDataset: opts.allowOtherDataset,
    allowIncomplete: opts.allowIncomplete,
    signal: interruptSignal(),
    onProgress,
  };
}
