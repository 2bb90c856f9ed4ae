// Shared CLI output rules: exit codes (0 done, also with problems; 1 unusable input, usage or
// cancel; 2 internal error), one-line error reasons on stderr, a JSON summary as the last stdout
// line with --json, and plain aligned tables for humans.
import { isInputError, PlateLabError } from '../core/errors';

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_INTERNAL = 2;

export function exitCodeFor(err: unknown): number {
  if (isInputError(err)) return EXIT_INPUT;
  if (err instanceof PlateLabError && err.code === 'CANCELLED') return EXIT_INPUT;
  return EXIT_INTERNAL;
}

/** One line: what went wrong, never a stack trace for expected errors. */
export function errorLine(command: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const prefix = exitCodeFor(err) === EXIT_INTERNAL ? 'internal error: ' : '';
  return `platelab ${command}: ${prefix}${message.split('\n')[0]}`;
}

/**
 * Runs a command body and exits with the right code. Internal errors also print their stack when
 * PLATELAB_DEBUG is set, so a bug report can carry it.
 */
export async function runCommand(command: string, body: () => Promise<void>): Promise<never> {
  try {
    await body();
    process.exit(EXIT_OK);
  } catch (err) {
    console.error(errorLine(command, err));
    if (process.env.PLATELAB_DEBUG && err instanceof Error) console.error(err.stack);
    process.exit(exitCodeFor(err));
  }
}

/** Prints the machine-readable summary: always a single line, always the last one on stdout. */
export function printJsonSummary(summary: unknown): void {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

/** Left-aligned text columns, right-aligned numbers; header underlined with dashes. */
export function formatTable(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'),
  );
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((v, c) => (numeric[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** An AbortSignal that fires on Ctrl-C, so long work stops at its next checkpoint. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}
