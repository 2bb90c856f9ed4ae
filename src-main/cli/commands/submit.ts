// Placeholder for the `platelab submit` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('submit')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab submit: not yet available');
      process.exit(2);
    });
}
