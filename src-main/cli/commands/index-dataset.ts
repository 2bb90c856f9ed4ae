// Placeholder for the `platelab index` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('index')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab index: not yet available');
      process.exit(2);
    });
}
