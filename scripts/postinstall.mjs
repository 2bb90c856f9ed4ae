// `postinstall`: rebuilds the native modules (better-sqlite3, sharp, tfjs-node) for Electron's ABI
// with `electron-builder install-app-deps` where Electron's binary is installed; where it is not
// (ELECTRON_SKIP_BINARY_DOWNLOAD=1, offline), one line saying so and exit 0, so `npm ci` passes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electron = electronBinary();
if ('reason' in electron) {
  console.log(
    `postinstall: skipped the native-module rebuild for Electron (no Electron binary: ${electron.reason}); the CLI, serve mode and tests use Node's build.`,
  );
  process.exit(0);
}
const builder = path.join(root, 'node_modules', 'electron-builder', 'cli.js');
const r = spawnSync(process.execPath, [builder, 'install-app-deps'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
