// Placeholder for the `platelab info` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('info')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab info: not yet available');
      process.exit(2);
    });
}
