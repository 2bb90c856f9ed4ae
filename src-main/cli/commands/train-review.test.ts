// `platelab train` and review exclusions through the real CLI: --list-settings shows
// useReviewExclusions (default true), a run reports how many wells review excluded, and
// --no-review-exclusions trains on them (recorded as not applied); --resume refuses the flag.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platelab } from '../../../test-support/cli/run-cli';
import { makeTinyDataset, type TinyDataset } from '../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../test-support/learn/tiny-config';
import { openCatalog } from '../../core/catalog/db';
import { setReviewDecision } from '../../core/catalog/review-decisions';
import { readReviewExclusions } from '../../core/learn/runs/run-folder';

let ds: TinyDataset;
let excluded: string;
beforeAll(async () => {
  ds = await makeTinyDataset({ classes: 4, plates: 1, size: 8 });
  const db = openCatalog(ds.dbFile);
  excluded = (
    db.prepare('SELECT id_code FROM wells ORDER BY id_code LIMIT 1').get() as {
      id_code: string;
    }
  ).id_code;
  setReviewDecision(db, excluded, 'exclude', 'debris');
  db.close();
});
afterAll(() => ds.cleanup());

const lastJson = (stdout: string) =>
  JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;

describe('platelab train with review exclusions', () => {
  it('lists the setting with its default', async () => {
    const r = await platelab('train', '--list-settings', '--backend', 'cpu', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = lastJson(r.stdout).settings as Array<{ key: string; default: string }>;
    expect(rows.find((s) => s.key === 'useReviewExclusions')?.default).toBe('true');
  });

  it('--no-review-exclusions trains on the excluded wells and records the list as not applied', async () => {
    const cfg = path.join(ds.root, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify(tinyTrainConfig({ epochs: 1 })));
    const out = path.join(ds.root, 'run-off');
    const r = await platelab(
      'train',
      '--db',
      ds.dbFile,
      '--out',
      out,
      '--config',
      cfg,
      '--backend',
      'cpu',
      '--no-review-exclusions',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout).reviewExcluded).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as {
      useReviewExclusions: boolean;
    };
    expect(config.useReviewExclusions).toBe(false);
    const record = readReviewExclusions(out)!;
    expect(record.applied).toBe(false);
    expect(record.excluded.map((d) => d.idCode)).toEqual([excluded]);
    const split = JSON.parse(fs.readFileSync(path.join(out, 'split.json'), 'utf8')) as {
      train: string[];
      val: string[];
    };
    expect([...split.train, ...split.val]).toContain(excluded);
    // The manifest lists the recorded file with its hash.
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      files: Record<string, { sha256: string }>;
    };
    expect(manifest.files['review-exclusions.json']?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const resume = await platelab(
      'train',
      '--db',
      ds.dbFile,
      '--out',
      out,
      '--resume',
      '--no-review-exclusions',
    );
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(/--resume continues with the run's own config\.json/);
  }, 120_000);
});
