// Migrations: one ordered list applied by openCatalog whatever a process imported, once each,
// tracked per version (catalogs missing a lower area's migration get it), and catalogs written
// before per-version tracking are not migrated twice.
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imagingMigrations } from '../imaging/migrations';
import { migrate, openCatalog } from './db';
import { catalogMigrations, MIGRATIONS } from './migrations';

const dirs: string[] = [];
function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-db-'));
  dirs.push(dir);
  return path.join(dir, 'catalog.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const versions = (db: Database.Database) =>
  (
    db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
      version: number;
    }[]
  ).map((r) => r.version);

describe('openCatalog migrations', () => {
  it('creates the schema once, in WAL mode, and a second open changes nothing', () => {
    const file = tempDb();
    const db = openCatalog(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all();
    expect(tables.map((t) => (t as { name: string }).name)).toEqual(
      expect.arrayContaining(['experiments', 'plates', 'wells', 'sites', 'images', 'problems']),
    );
    const first = versions(db);
    db.close();
    const again = openCatalog(file);
    expect(versions(again)).toEqual(first);
    again.close();
  });

  it('gives the full schema in a process that imports only catalog/db', () => {
    const file = tempDb();
    const script = `
      import { openCatalog } from './src-main/core/catalog/db.ts';
      const db = openCatalog(${JSON.stringify(file)});
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      console.log(JSON.stringify({
        userVersion: db.pragma('user_version', { simple: true }),
        tables: tables.map((t) => t.name),
      }));
      db.close();`;
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: path.resolve(__dirname, '../../..'),
        encoding: 'utf8',
      },
    );
    const got = JSON.parse(out.trim().split('\n').pop()!) as {
      userVersion: number;
      tables: string[];
    };
    expect(got.userVersion).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect(got.userVersion).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    expect(got.tables).toEqual(
      expect.arrayContaining([
        'meta',
        'learn_prediction_sets',
        'learn_well_topk',
        'imaging_norm_stats',
        'review_decisions',
      ]),
    );
  });

  it('adds a lower migration missing from a catalog that already has a higher one', () => {
    // A catalog made by a process that only imported imaging: 20 applied, learn's 10–11 not.
    const file = tempDb();
    const early = new Database(file);
    migrate(early, [...catalogMigrations, ...imagingMigrations]);
    expect(
      early.prepare("SELECT 1 FROM sqlite_master WHERE name = 'learn_prediction_sets'").get(),
    ).toBeUndefined();
    early.close();
    const db = openCatalog(file);
    expect(versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(
      db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'learn_prediction_sets'").get(),
    ).toBeTruthy();
    expect(db.pragma('user_version', { simple: true })).toBe(
      Math.max(...MIGRATIONS.map((m) => m.version)),
    );
    db.close();
  });

  it('refuses a read-only open of a catalog with pending migrations, naming the file and the updates', () => {
    const file = tempDb();
    const early = new Database(file);
    migrate(early, [...catalogMigrations, ...imagingMigrations]);
    early.close();
    expect(() => openCatalog(file, { readonly: true })).toThrow(
      new RegExp(`${path.basename(file)}: the catalog was made by an older PlateLab .*learn`),
    );
    // Nothing was changed by the refused open; a read-write open upgrades it, then read-only works.
    const check = new Database(file, { readonly: true });
    expect(versions(check)).toEqual(
      [...catalogMigrations, ...imagingMigrations].map((m) => m.version).sort((a, b) => a - b),
    );
    check.close();
    openCatalog(file).close();
    const ro = openCatalog(file, { readonly: true });
    expect(versions(ro)).toEqual(MIGRATIONS.map((m) => m.version));
    ro.close();
  });

  it('refuses a file that is not SQLite as an input error naming it, and leaves it as it was', () => {
    const file = tempDb();
    fs.writeFileSync(file, 'id_code,sirna\nHEPG2-08_1_B03,911\n');
    for (const readonly of [false, true]) {
      let err: unknown;
      try {
        openCatalog(file, { readonly });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'INVALID_INPUT' });
      expect((err as Error).message).toBe(
        `${file}: not a PlateLab catalog (not an SQLite database)`,
      );
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('id_code,sirna\nHEPG2-08_1_B03,911\n');
  });

  it('refuses a list out of order', () => {
    const db = new Database(':memory:');
    expect(() =>
      migrate(db, [
        { version: 2, name: 'b', sql: 'CREATE TABLE b (x)' },
        { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
      ]),
    ).toThrow(/migration 1 \(a\) comes after 2/);
    db.close();
  });

  it('does not re-run migrations on a catalog from before per-version tracking', () => {
    const file = tempDb();
    const legacy = new Database(file);
    legacy.exec(catalogMigrations[0]!.sql);
    legacy.pragma('user_version = 1');
    legacy.close();
    const db = new Database(file);
    expect(() => migrate(db)).not.toThrow();
    expect(versions(db)).toContain(1);
    db.close();
  });
});
