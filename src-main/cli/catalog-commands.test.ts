// End-to-end: `node bin/platelab.js synth|index|info` as child processes on fixture trees: exit
// codes, the JSON last line, one-line errors naming the file, --help.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, tempDir } from '../../test-support/catalog/fixture';
import { errorLine, exitCodeFor, formatTable } from './output';
import { inputError, PlateLabError } from '../core/errors';
import { platelab } from '../../test-support/cli/run-cli';

let root: string;
let work: string;

function lastLineJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

beforeAll(async () => {
  root = tempDir('cli-tree');
  work = tempDir('cli-work');
  await buildFixture(root);
  fs.writeFileSync(path.join(root, 'train/HUVEC-01/Plate1/stray.txt'), 'x');
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('platelab index / info', () => {
  it('indexes a fixture: exit 0 even with problems, JSON summary on the last line', async () => {
    const db = path.join(work, 'a.db');
    const r = await platelab('index', root, '--db', db, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = lastLineJson(r.stdout);
    expect(j).toMatchObject({
      experiments: 3,
      plates: 4,
      wells: 16,
      sites: 32,
      images: 192,
      problems: 1,
      format: 'rxrx1-2019',
    });
    expect(typeof j.seconds).toBe('number');

    const info = await platelab('info', '--db', db, '--json');
    expect(info.code).toBe(0);
    const s = lastLineJson(info.stdout);
    expect(s.counts).toEqual({
      experiments: 3,
      plates: 4,
      wells: 16,
      sites: 32,
      images: 192,
      problems: 1,
    });
    expect((s.experiments as unknown[]).length).toBe(3);
    expect(s.problemKinds).toEqual([{ kind: 'bad-file-name', count: 1 }]);

    const human = await platelab('info', '--db', db);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/format\s+rxrx1-2019/);
    expect(human.stdout).toMatch(/HUVEC-01\s+train\s+HUVEC\s+2\s+2\s+8\s+16\s+96/);
  });

  it('exits 1 with one line naming the path for a missing root, a missing or foreign catalog, and usage errors', async () => {
    const missing = path.join(work, 'no-such-root');
    const a = await platelab('index', missing, '--db', path.join(work, 'b.db'));
    expect(a.code).toBe(1);
    expect(a.stderr.trim().split('\n')).toEqual([
      `platelab index: dataset folder ${missing} does not exist`,
    ]);
    expect(fs.existsSync(path.join(work, 'b.db'))).toBe(false);

    const b = await platelab('info', '--db', path.join(work, 'none.db'));
    expect(b.code).toBe(1);
    expect(b.stderr).toContain(path.join(work, 'none.db'));

    const foreign = path.join(work, 'foreign.db');
    fs.writeFileSync(
      foreign,
      'this is not sqlite, just some text that is long enough to look like a header',
    );
    const c = await platelab('info', '--db', foreign);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/foreign\.db is not a PlateLab catalog/);

    const e = await platelab('index', root, '--db', foreign);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/cannot use .*foreign\.db as a PlateLab catalog/);

    const d = await platelab('index', root);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/--db/);
  });

  it('prints help for each command', async () => {
    for (const cmd of ['index', 'info', 'synth']) {
      const r = await platelab(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: platelab ${cmd}`));
    }
  });
});

describe('platelab synth', () => {
  it('writes the tiny preset and the index of it agrees with its summary', async () => {
    const out = path.join(work, 'tiny');
    const r = await platelab('synth', '--preset', 'tiny', '--out', out, '--seed', '3', '--json');
    expect(r.code).toBe(0);
    const s = lastLineJson(r.stdout);
    expect(s.preset).toBe('tiny');
    const idx = await platelab('index', out, '--db', path.join(work, 'tiny.db'), '--json');
    expect(idx.code).toBe(0);
    const j = lastLineJson(idx.stdout);
    expect(j).toMatchObject({
      images: s.images,
      sites: s.sites,
      wells: s.wells,
      plates: s.plates,
      problems: 0,
    });

    const bad = await platelab(
      'synth',
      '--preset',
      'tiny',
      '--out',
      path.join(work, 't2'),
      '--seed',
      'abc',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--seed "abc"/);
  });
});

describe('output helpers', () => {
  it('maps errors to exit codes and one-line messages', () => {
    expect(exitCodeFor(inputError('bad file x.csv'))).toBe(1);
    expect(exitCodeFor(new PlateLabError('CANCELLED', 'cancelled'))).toBe(1);
    expect(exitCodeFor(new Error('boom'))).toBe(2);
    expect(errorLine('index', new Error('boom\nstack'))).toBe(
      'platelab index: internal error: boom',
    );
    expect(errorLine('index', inputError('no x'))).toBe('platelab index: no x');
  });
  it('aligns tables: numbers right, text left', () => {
    expect(
      formatTable(
        ['name', 'n'],
        [
          ['a', 5],
          ['bbb', 10],
        ],
      ),
    ).toBe('name   n\n----  --\na      5\nbbb   10');
  });
});
