// kill -9 at arbitrary moments of a real indexing process: the catalog must stay consistent
// (integrity check; every stored plate digest backed by its rows) and the next run must complete
// it to exactly what a clean index produces.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../db';
import { buildFixture, dumpCatalog, tempDir } from '../../../../test-support/catalog/fixture';
import { indexDataset } from './index';

const REPO = path.resolve(__dirname, '../../../..');
const CHILD = path.join(REPO, 'test-support/catalog/crash-child.ts');
const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs the child; kills it `delayMs` after its first progress line. Resolves with how it ended. */
function runAndKill(
  root: string,
  dbFile: string,
  delayMs: number,
): Promise<{ killed: boolean; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/run-ts.js'), CHILD, root, dbFile], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      lines.push(...d.toString().split('\n').filter(Boolean));
      if (!timer) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' || code === 0) resolve({ killed: signal === 'SIGKILL', lines });
      else reject(new Error(`child failed (${code}): ${stderr}`));
    });
  });
}

function checkConsistent(dbFile: string): void {
  const db = openCatalog(dbFile);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const scans = db.prepare('SELECT dir, files FROM plate_scans').all() as Array<{
      dir: string;
      files: number;
    }>;
    for (const s of scans) {
      const n = db
        .prepare('SELECT COUNT(*) AS n FROM images WHERE path >= ? AND path < ?')
        .get(`${s.dir}/`, `${s.dir}0`) as { n: number };
      expect(n.n).toBe(s.files);
    }
  } finally {
    db.close();
  }
}

describe('a killed indexer', () => {
  it('leaves a consistent catalog that the next run completes to a clean index', async () => {
    const root = tempDir('crash-tree');
    made.push(root);
    const wells = ['B', 'C', 'D', 'E', 'F'].flatMap((r) =>
      Array.from({ length: 10 }, (_, i) => `${r}${String(i + 2).padStart(2, '0')}`),
    );
    const info = await buildFixture(root, {
      experiments: [
        { name: 'HUVEC-01', split: 'train', plates: 4 },
        { name: 'RPE-01', split: 'train', plates: 4 },
        { name: 'U2OS-01', split: 'train', plates: 4 },
        { name: 'HEPG2-02', split: 'test', plates: 4 },
      ],
      wells,
    });
    expect(info.images).toBe(16 * 50 * 12);
    const dbDir = tempDir('crash-db');
    made.push(dbDir);
    const dbFile = path.join(dbDir, 'c.db');

    // Kill points: how many plates each killed run had reported done (of 16).
    const killedAt: number[] = [];
    for (const delay of [0, 40, 120, 250, 400]) {
      const { killed, lines } = await runAndKill(root, dbFile, delay);
      const last = lines.filter((l) => l.startsWith('progress ')).pop() ?? 'progress 0/16';
      if (killed) killedAt.push(Number(/progress (\d+)/.exec(last)![1]));
      if (fs.existsSync(dbFile)) checkConsistent(dbFile);
    }
    console.log(`killed after plates: ${killedAt.join(', ')}`);
    expect(killedAt.some((n) => n > 0 && n < 16)).toBe(true);
    const final = await indexDataset({ root, dbFile });
    expect(final.images).toBe(info.images);

    const cleanFile = path.join(dbDir, 'clean.db');
    await indexDataset({ root, dbFile: cleanFile });
    const dump = (f: string) => {
      const db = openCatalog(f);
      try {
        return dumpCatalog(db);
      } finally {
        db.close();
      }
    };
    expect(dump(dbFile)).toEqual(dump(cleanFile));
  });
});
