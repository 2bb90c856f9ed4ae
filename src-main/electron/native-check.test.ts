// The desktop start-up check names a wrong-ABI native module and the rebuild command; the rebuild
// is wired as postinstall (and skips with one line where Electron's binary is missing).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { checkNativeModule, NATIVE_FIX } from './native-check';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

describe('native module start-up check', () => {
  it('passes the real better-sqlite3 under this runtime (it opens a database)', () => {
    const open = () => {
      const Database = require('better-sqlite3') as new (file: string) => { close(): void };
      new Database(':memory:').close();
    };
    expect(checkNativeModule('better-sqlite3', open)).toBeNull();
  });

  it('reports a wrong-ABI build with both ABI numbers and the fix', () => {
    const wrongAbi = () => {
      throw new Error(
        "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
          'was compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. ' +
          'This version of Node.js requires\nNODE_MODULE_VERSION 140. Please try re-compiling.',
      );
    };
    const p = checkNativeModule('better-sqlite3', wrongAbi, '140');
    expect(p?.message).toContain('better-sqlite3');
    expect(p?.message).toContain('NODE_MODULE_VERSION 115; this Electron needs 140');
    expect(p?.message).toContain(NATIVE_FIX);
    const missing = checkNativeModule('better-sqlite3', () => {
      throw new Error('Could not locate the bindings file. Tried: …');
    });
    expect(p?.title).toBe('PlateLab cannot start');
    expect(missing?.message).toMatch(/failed to load \(Could not locate the bindings file/);
    expect(missing?.message).toContain(NATIVE_FIX);
  });
});

describe('native module rebuild (postinstall)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };

  it('is the postinstall script, which runs electron-builder install-app-deps', () => {
    expect(pkg.scripts.postinstall).toBe('node scripts/postinstall.mjs');
    expect(fs.readFileSync(path.join(root, 'scripts/postinstall.mjs'), 'utf8')).toMatch(
      /electron-builder.*\n.*'install-app-deps'/,
    );
  });

  it('skips with one line and exit 0 where the Electron binary is missing', (ctx) => {
    if (!('reason' in electronBinary()))
      return ctx.skip('SKIPPED: Electron is installed here; postinstall would really rebuild');
    const r = spawnSync(process.execPath, ['scripts/postinstall.mjs'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^postinstall: skipped the native-module rebuild for Electron \(no Electron binary: /,
    );
  });

  it('npm run dist says in one line why it cannot package without the binary, exit 1', (ctx) => {
    if (!('reason' in electronBinary()))
      return ctx.skip('SKIPPED: Electron is installed here; dist would really package');
    expect(pkg.scripts.dist).toBe('node scripts/dist.mjs');
    const r = spawnSync(process.execPath, ['scripts/dist.mjs'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dist: cannot build the desktop installers here: no Electron binary/);
  });
});
