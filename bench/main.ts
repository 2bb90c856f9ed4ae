// The bench runner: `npm run bench -- <name> [--flag value ...]` imports bench/<name>.ts lazily
// (a missing or broken bench fails only its own name), calls its exported bench function with
// the flags as options, and prints the JSON it returns.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_NAMES = ['index', 'images', 'train', 'accuracy', 'baselines', 'ui'] as const;

type BenchFn = (opts: Record<string, unknown>) => Promise<unknown> | unknown;

/** `--steps 2 --no-torch --nets a,b` → {steps: 2, torch: false, nets: ['a', 'b']}. */
export function parseFlags(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--'))
      throw new Error(`unexpected argument "${a}" (flags look like --name value)`);
    const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (a.startsWith('--no-')) {
      out[camel(a.slice(5))] = false;
      continue;
    }
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) {
      out[camel(a.slice(2))] = true;
      continue;
    }
    i++;
    const value = (v: string): unknown => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
    out[camel(a.slice(2))] = next.includes(',') ? next.split(',').map(value) : value(next);
  }
  return out;
}

/** The bench function of a module: `bench<Name>`, else `run`, else its only exported function. */
export function pickBenchFunction(mod: Record<string, unknown>, name: string): BenchFn | null {
  const preferred = `bench${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  for (const key of [preferred, 'run', 'default'])
    if (typeof mod[key] === 'function') return mod[key] as BenchFn;
  const fns = Object.values(mod).filter((v): v is BenchFn => typeof v === 'function');
  return fns.length === 1 ? fns[0]! : null;
}

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || !(BENCH_NAMES as readonly string[]).includes(name)) {
    console.error(`usage: npm run bench -- <${BENCH_NAMES.join('|')}> [--flag value ...]`);
    return 1;
  }
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), `${name}.ts`);
  if (!fs.existsSync(file)) {
    console.error(`bench ${name}: bench/${name}.ts does not exist yet`);
    return 1;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    console.error(`bench ${name}: cannot load bench/${name}.ts: ${(err as Error).message}`);
    return 2;
  }
  const fn = pickBenchFunction(mod, name);
  if (!fn) {
    console.error(
      `bench ${name}: bench/${name}.ts exports no bench${name.charAt(0).toUpperCase()}${name.slice(1)} function`,
    );
    return 2;
  }
  const result = await fn(parseFlags(rest));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(2);
    },
  );
}
