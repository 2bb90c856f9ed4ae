// Placeholder for the `platelab synth` command until its owner lands it.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('synth')
    .description('(not yet available)')
    .action(() => {
      console.error('platelab synth: not yet available');
      process.exit(2);
    });
}
