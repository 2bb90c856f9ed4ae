// The electron-builder configuration (package.json `build`): valid against electron-builder's own
// schema, the four installer targets, icons from resources/, asar with the native modules unpacked,
// and neither tsx nor esbuild shipped.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

interface BuildConfig {
  appId: string;
  icon: string;
  asar: boolean;
  asarUnpack: string[];
  files: string[];
  extraMetadata: { main: string };
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  build: BuildConfig;
  main: string;
};

describe('desktop installers (electron-builder config)', () => {
  it("passes electron-builder's own configuration check", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, log: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util/out/DebugLogger.js') as {
      DebugLogger: new (enabled: boolean) => unknown;
    };
    await expect(validateConfiguration(pkg.build, new DebugLogger(false))).resolves.toBeUndefined();
    // The checker does catch a wrong key.
    await expect(
      validateConfiguration({ ...pkg.build, asarUnpak: [] }, new DebugLogger(false)),
    ).rejects.toThrow(/asarUnpak/);
  });

  it('builds AppImage + deb, NSIS and dmg from the built main bundle with the resources/ icon', () => {
    const b = pkg.build;
    expect(b.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(b.linux.target).toEqual(['AppImage', 'deb']);
    expect(b.win.target).toEqual(['nsis']);
    expect(b.mac.target).toEqual(['dmg']);
    expect(b.icon.startsWith('resources/')).toBe(true);
    expect(fs.existsSync(path.join(root, b.icon))).toBe(true);
    expect(b.extraMetadata.main).toBe(pkg.main);
    expect(b.files).toEqual(expect.arrayContaining(['out/**', '!**/node_modules/tsx/**']));
  });

  it('packs into asar with the native modules unpacked', () => {
    const b = pkg.build;
    expect(b.asar).toBe(true);
    for (const m of [
      'better-sqlite3',
      'sharp',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-node-gpu',
    ])
      expect(b.asarUnpack).toContain(`**/node_modules/${m}/**`);
    expect(b.asarUnpack).toContain('**/*.node');
  });
});
