// The list of CLI commands; each module adds one command to the program.
import type { Command } from 'commander';
import { register as synth } from './synth';
import { register as indexCmd } from './index-dataset';
import { register as info } from './info';
import { register as composite } from './composite';
import { register as train } from './train';
import { register as predict } from './predict';
import { register as submit } from './submit';
import { register as evaluate } from './evaluate';
import { register as runs } from './runs';
import { register as serve } from './serve';
import { register as sweep } from './sweep';
import { register as embed } from './embed';

export function registerCommands(program: Command): void {
  for (const register of [
    synth,
    indexCmd,
    info,
    composite,
    train,
    predict,
    submit,
    evaluate,
    runs,
    serve,
    sweep,
    embed,
  ])
    register(program);
}
