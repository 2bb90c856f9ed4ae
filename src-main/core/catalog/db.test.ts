// Migrations: applied once each, tracked per version (areas number in separate ranges), and
// catalogs written before per-version tracking are not migrated twice.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openCatalog, registerMigrations } from './db';
import { catalogMigrations } from './migrations';

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

  it('applies a lower-numbered migration registered after a higher one already ran', () => {
    const file = tempDb();
    registerMigrations([
      { version: 99, name: 'test-high', sql: 'CREATE TABLE t_high (x INTEGER)' },
    ]);
    openCatalog(file).close();
    registerMigrations([{ version: 98, name: 'test-low', sql: 'CREATE TABLE t_low (x INTEGER)' }]);
    const db = openCatalog(file);
    expect(versions(db)).toEqual(expect.arrayContaining([98, 99]));
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name='t_low'").get()).toBeTruthy();
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
