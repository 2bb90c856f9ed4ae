// Placeholder for the `platelab serve` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('serve')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab serve: not yet available');
      process.exit(2);
    });
}
