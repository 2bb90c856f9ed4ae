// Stores the problems of one scope ('metadata', 'tree', 'cross', 'plate:<dir>'): the scope's rows
// are replaced only when the new list differs, so an unchanged re-index writes nothing.
import type { Catalog } from '../db';
import type { Problem } from '../../dataset/metadata';
import { cachedStatement } from './statements';

interface StoredProblem {
  kind: string;
  path: string;
  message: string;
  count: number;
}

/** Merges repeats (same kind, path and message) by adding their counts; keeps first-seen order. */
export function dedupeProblems(problems: Problem[]): StoredProblem[] {
  const byKey = new Map<string, StoredProblem>();
  for (const p of problems) {
    const key = `${p.kind}\0${p.path}\0${p.message}`;
    const prev = byKey.get(key);
    if (prev) prev.count += p.count ?? 1;
    else byKey.set(key, { kind: p.kind, path: p.path, message: p.message, count: p.count ?? 1 });
  }
  return [...byKey.values()];
}

/** Returns true when the scope's rows were rewritten. Call inside a transaction. */
export function replaceScopeProblems(db: Catalog, scope: string, problems: Problem[]): boolean {
  const next = dedupeProblems(problems);
  const current = cachedStatement(
    db,
    'SELECT kind, path, message, count FROM problems WHERE scope = ? ORDER BY id',
  ).all(scope) as StoredProblem[];
  const same =
    current.length === next.length &&
    current.every(
      (c, i) =>
        c.kind === next[i]!.kind &&
        c.path === next[i]!.path &&
        c.message === next[i]!.message &&
        c.count === next[i]!.count,
    );
  if (same) return false;
  cachedStatement(db, 'DELETE FROM problems WHERE scope = ?').run(scope);
  const insert = cachedStatement(
    db,
    'INSERT OR IGNORE INTO problems (kind, path, message, scope, count) VALUES (?, ?, ?, ?, ?)',
  );
  for (const p of next) insert.run(p.kind, p.path, p.message, scope, p.count);
  return true;
}
