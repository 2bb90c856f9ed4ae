// `platelab serve`: the PlateLab UI and API over HTTP + WebSocket for any browser (loopback by default;
// another address requires the access token printed in the URL).
import type { Command } from 'commander';
import { isInputError } from '../../core/errors';
import { runServe, stopOnSignals } from '../../serve/serve-app';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--port ${value}: expected a port number 0–65535 (0 = any free port)`);
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the PlateLab UI and API on http://127.0.0.1 (open the printed URL in a browser)',
    )
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 0)
    .option(
      '--host <host>',
      'address to bind; anything but loopback requires the printed access token',
      '127.0.0.1',
    )
    .option(
      '--data <dir>',
      'data folder (settings, catalogs, cache, runs, exports); default $PLATELAB_DATA or ~/.platelab',
    )
    .option('--dataset <root>', 'index and open this dataset folder at start')
    .option('--open-demo', 'generate, index and open the demo dataset when no dataset is open yet')
    .action(
      async (opts: {
        port: number;
        host: string;
        data?: string;
        dataset?: string;
        openDemo?: boolean;
      }) => {
        try {
          const app = await runServe(opts);
          stopOnSignals(app);
        } catch (err) {
          console.error(`platelab serve: ${err instanceof Error ? err.message : String(err)}`);
          // Bad input (a missing --dataset folder, a port in use) exits 1; anything else 2.
          const inUse = err instanceof Error && 'code' in err && err.code === 'EADDRINUSE';
          process.exit(inUse || isInputError(err) ? 1 : 2);
        }
      },
    );
}
