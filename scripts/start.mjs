#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed (build with electron-vite, then
// launch); otherwise one line saying why, and serve mode in the browser: build the renderer when
// out/renderer is missing or older than its sources, then `platelab serve --open-demo`.
// Extra arguments pass through: `npm start -- --port 8080 --data /tmp/pl`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Runs the long-lived child with our signals forwarded, and exits with its code. */
function hand(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const node = process.execPath;
const electron = electronBinary();
const DEFAULT_PORT = 5317;

/** `preferred` when nothing listens on it at 127.0.0.1, else 0 (the server then picks any port). */
function freePort(preferred) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(0));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}

if (electron.bin) {
  run(node, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
  hand(electron.bin, ['.', ...args]);
} else {
  console.log(
    `PlateLab: no Electron binary (${electron.reason}); starting serve mode: open the printed URL in a browser.`,
  );
  const index = path.join(root, 'out/renderer/index.html');
  const sources = Math.max(
    newestMtime(path.join(root, 'src-renderer')),
    newestMtime(path.join(root, 'src-shared')),
  );
  if (!fs.existsSync(index) || fs.statSync(index).mtimeMs < sources) {
    console.log('PlateLab: building the UI (out/renderer)…');
    run(node, [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '-c',
      'src-renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ]);
  }
  // A stable address scientists can bookmark; any free port when it is taken.
  const portArgs = args.includes('--port') ? [] : ['--port', String(await freePort(DEFAULT_PORT))];
  hand(node, [path.join(root, 'bin/platelab.js'), 'serve', '--open-demo', ...portArgs, ...args]);
}
