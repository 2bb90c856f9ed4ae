// Placeholder for the `platelab train` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('train')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab train: not yet available');
      process.exit(2);
    });
}
