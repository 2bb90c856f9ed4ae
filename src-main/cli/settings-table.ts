// `platelab train --list-settings`: every TrainConfig key with its default for a backend and its
// allowed range, derived from the zod contract (z.toJSONSchema), so the table can never drift from
// what the validator accepts.
import { z } from 'zod';
import { TrainConfig } from '../../src-shared/contract';

export interface SettingRow {
  /** Dotted key as `--set` takes it, e.g. 'split.valFraction'. */
  key: string;
  /** The default, JSON-encoded ('0.05', '"sgd"', '[15,25]'). */
  default: string;
  /** Allowed values in words: '1 ≤ integer ≤ 500', 'one of: sgd, adam, adamw', 'true or false'. */
  range: string;
}

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  minLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

/** Bounds beyond this are the number type's own (safe-integer) limits, not a setting's range. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

function describe(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(describe).join(' or ');
  if (s.const !== undefined) return String(s.const);
  if (s.enum) return `one of: ${s.enum.map(String).join(', ')}`;
  if (s.type === 'boolean') return 'true or false';
  if (s.type === 'array')
    return `list of ${s.minItems ? `${s.minItems}+ ` : ''}(${s.items ? describe(s.items) : 'values'})`;
  if (s.type === 'string') return s.minLength ? 'non-empty text' : 'text';
  if (s.type === 'number' || s.type === 'integer') {
    const what = s.type === 'integer' ? 'integer' : 'number';
    const lo =
      s.exclusiveMinimum !== undefined
        ? `${s.exclusiveMinimum} < `
        : s.minimum !== undefined && Math.abs(s.minimum) < UNBOUNDED
          ? `${s.minimum} ≤ `
          : '';
    const hi =
      s.exclusiveMaximum !== undefined
        ? ` < ${s.exclusiveMaximum}`
        : s.maximum !== undefined && Math.abs(s.maximum) < UNBOUNDED
          ? ` ≤ ${s.maximum}`
          : '';
    return `${lo}${what}${hi}`;
  }
  return s.type ?? 'any';
}

/**
 * One row per leaf setting of TrainConfig, in the contract's order, with `defaults`' value
 * ('unset' for an optional setting the defaults leave out). Throws when `defaults` lacks a
 * required key (the defaults must cover every required setting).
 */
export function settingsTable(defaults: TrainConfig): SettingRow[] {
  const root = z.toJSONSchema(TrainConfig, { io: 'input' }) as JsonSchema;
  const rows: SettingRow[] = [];
  const walk = (s: JsonSchema, prefix: string[], value: unknown, required: boolean) => {
    if (s.type === 'object' && s.properties) {
      for (const [k, sub] of Object.entries(s.properties))
        walk(
          sub,
          [...prefix, k],
          (value as Record<string, unknown> | undefined)?.[k],
          s.required?.includes(k) ?? false,
        );
      return;
    }
    const key = prefix.join('.');
    if (value === undefined && required) throw new Error(`the defaults have no value for ${key}`);
    const range = describe(s) + (required ? '' : ' (optional)');
    rows.push({ key, default: value === undefined ? 'unset' : JSON.stringify(value), range });
  };
  walk(root, [], defaults, true);
  return rows;
}

/** The rows as aligned text columns with a header line. */
export function formatSettingsTable(rows: SettingRow[], backend: string): string {
  const head: SettingRow = { key: 'setting', default: `default (${backend})`, range: 'allowed' };
  const all = [head, ...rows];
  const w1 = Math.max(...all.map((r) => r.key.length));
  const w2 = Math.max(...all.map((r) => r.default.length));
  return all
    .map((r) => `${r.key.padEnd(w1)}  ${r.default.padEnd(w2)}  ${r.range}`.trimEnd())
    .join('\n');
}
