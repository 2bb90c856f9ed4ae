// Placeholder for the `platelab evaluate` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('evaluate')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab evaluate: not yet available');
      process.exit(2);
    });
}
