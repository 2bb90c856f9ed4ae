// `platelab --version` prints package.json's version; `platelab train --list-settings` works without
// --db/--out and lists every setting (the table itself is tested in settings-table.test.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/platelab.js', ...args], { encoding: 'utf8', timeout: 90_000 });

describe('platelab CLI information flags', () => {
  it('--version prints the package version', () => {
    const r = cli('--version');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('train --list-settings --json lists defaults and ranges for the backend', () => {
    const r = cli('train', '--list-settings', '--backend', 'wasm', '--json');
    expect(r.status).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      backend: string;
      settings: { key: string; default: string; range: string }[];
    };
    expect(last.backend).toBe('wasm');
    expect(last.settings.find((s) => s.key === 'epochs')?.range).toBe('1 ≤ integer ≤ 500');
  });

  it('train without --db still says what is missing', () => {
    const r = cli('train', '--out', '/tmp/x');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--db <file> is required/);
  });
});
