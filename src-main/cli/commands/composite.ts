// Placeholder for the `platelab composite` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('composite')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab composite: not yet available');
      process.exit(2);
    });
}
