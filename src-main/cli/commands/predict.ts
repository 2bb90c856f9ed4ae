// Placeholder for the `platelab predict` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('predict')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab predict: not yet available');
      process.exit(2);
    });
}
