// Runs the browser tests: checks for Chromium, builds the renderer with vite when out/renderer is
// missing or older than its sources, then runs vitest with vitest.e2e.config.ts (args passed on).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CHROMIUM = process.env.PLATELAB_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(
    `e2e: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium ` +
      '(the tests never download a browser).',
  );
  process.exit(1);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const built = 'out/renderer/index.html';
const sources = Math.max(newestMtime('src-renderer'), newestMtime('src-shared'));
if (
  !existsSync(built) ||
  statSync(built).mtimeMs < sources ||
  process.env.PLATELAB_E2E_BUILD === '1'
) {
  console.log('e2e: building the renderer (vite build)…');
  const b = spawnSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '-c',
      'src-renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { stdio: 'inherit' },
  );
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const r = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '-c',
    'vitest.e2e.config.ts',
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=test-results/e2e.json',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
