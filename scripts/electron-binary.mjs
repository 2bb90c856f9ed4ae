// Where Electron's executable is, or why there is none: the one check `npm start`, `postinstall`,
// `npm run dist` and the Electron tests share. Plain JS: it runs before anything is built.
import fs from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The Electron executable as the `electron` package gives it (`require('electron')` is its path),
 * or the reason there is none: the package missing, or its binary never downloaded (offline, or
 * ELECTRON_SKIP_BINARY_DOWNLOAD=1; then the package throws "Electron failed to install correctly").
 * `from`: the file or folder to resolve `electron` from (default: this repository).
 */
export function electronBinary(from = import.meta.url) {
  let bin;
  try {
    bin = createRequire(from)('electron');
  } catch (err) {
    const text = String(err?.message ?? err).split('\n')[0];
    return {
      reason: /failed to install correctly/i.test(text)
        ? 'not downloaded at install: offline, or ELECTRON_SKIP_BINARY_DOWNLOAD=1'
        : `the electron package cannot give its binary (${text})`,
    };
  }
  if (typeof bin !== 'string' || !fs.existsSync(bin))
    return { reason: `the Electron binary ${String(bin)} does not exist` };
  return { bin };
}
