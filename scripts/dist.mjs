// `npm run dist`: the desktop installers (package.json `build`: AppImage + deb, NSIS, dmg for the
// platform it runs on; extra arguments pass to electron-builder, e.g. `npm run dist -- --linux deb`)
// after `electron-vite build`. Without Electron's binary it cannot package: one line saying why, exit 1.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electron = electronBinary();
if ('reason' in electron) {
  console.error(
    `dist: cannot build the desktop installers here: no Electron binary (${electron.reason}); electron-builder packages that binary, so install it (npm ci without ELECTRON_SKIP_BINARY_DOWNLOAD) and rerun.`,
  );
  process.exit(1);
}
const node = (file, args) =>
  spawnSync(process.execPath, [path.join(root, 'node_modules', file), ...args], {
    cwd: root,
    stdio: 'inherit',
  }).status ?? 1;
const built = node('electron-vite/bin/electron-vite.js', ['build']);
if (built !== 0) process.exit(built);
process.exit(node('electron-builder/cli.js', ['--publish', 'never', ...process.argv.slice(2)]));
