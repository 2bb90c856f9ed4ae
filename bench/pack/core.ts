// What every bench pack shares (a folder that runs a bench on a bare Linux x86-64 machine without
// the repo, network or Node): this machine's node binary as a cached node.xz, esbuild bundles,
// installed npm packages copied with their runtime dependencies, Debian .debs, linkage checks.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packDir = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(packDir, '../..');
/** node.xz files and downloaded .debs, kept between packs (gitignored). */
export const defaultCacheDir = path.join(packDir, '.cache');

/** A bench machine receives at most 64 MiB (repository included): a pack must stay under it. */
export const PACK_LIMIT_BYTES = 64 * 2 ** 20;

/** What every pack build takes. */
export interface PackBaseOptions {
  /** Output folder (replaced). Default: the pack's own. */
  outDir?: string;
  /** Keeps node.xz and downloaded .debs between packs. Default bench/pack/.cache. */
  cacheDir?: string;
  /** The node binary to ship. Default: the one running this script. */
  nodeBinary?: string;
  log?: (line: string) => void;
}

export interface PackResult {
  outDir: string;
  /** Size in bytes of each top-level entry of outDir (a folder: all files under it). */
  files: Record<string, number>;
  totalBytes: number;
}

/** The resolved options and a scratch folder a pack definition fills outDir from. */
export interface PackContext {
  name: string;
  outDir: string;
  cacheDir: string;
  nodeBinary: string;
  /** Scratch folder, removed after the build. */
  work: string;
  log: (line: string) => void;
}

/** A pack: its name (the CLI's first argument), default output folder and what it writes. */
export interface PackDefinition<O extends PackBaseOptions> {
  name: string;
  defaultOutDir: string;
  /** Writes the pack into ctx.outDir (already empty). */
  fill(ctx: PackContext, opts: O): Promise<void>;
}

/**
 * Builds a pack: checks linux-x64, empties outDir, runs the definition, and measures the result.
 * Errors: another platform, anything the definition throws, or a pack over PACK_LIMIT_BYTES.
 */
export async function buildPackWith<O extends PackBaseOptions>(
  def: PackDefinition<O>,
  opts: O,
): Promise<PackResult> {
  const label = `${def.name} pack`;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `${label}: build it on linux-x64 (this is ${process.platform}-${process.arch})`,
    );
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ctx: PackContext = {
    name: def.name,
    outDir: path.resolve(opts.outDir ?? def.defaultOutDir),
    cacheDir: path.resolve(opts.cacheDir ?? defaultCacheDir),
    nodeBinary: opts.nodeBinary ?? process.execPath,
    work: fs.mkdtempSync(path.join(os.tmpdir(), `platelab-pack-${def.name}-`)),
    log: (line) => log(`${label}: ${line}`),
  };
  fs.mkdirSync(ctx.cacheDir, { recursive: true });
  try {
    fs.rmSync(ctx.outDir, { recursive: true, force: true });
    fs.mkdirSync(ctx.outDir, { recursive: true });
    await def.fill(ctx, opts);
    const files: Record<string, number> = {};
    for (const f of fs.readdirSync(ctx.outDir)) files[f] = treeBytes(path.join(ctx.outDir, f));
    const totalBytes = Object.values(files).reduce((a, b) => a + b, 0);
    const mib = (totalBytes / 2 ** 20).toFixed(1);
    if (totalBytes > PACK_LIMIT_BYTES)
      throw new Error(
        `${label}: ${ctx.outDir} is ${mib} MiB, over the 64 MiB a bench machine receives`,
      );
    ctx.log(`${ctx.outDir} ${mib} MiB`);
    return { outDir: ctx.outDir, files, totalBytes };
  } finally {
    fs.rmSync(ctx.work, { recursive: true, force: true });
  }
}

function treeBytes(p: string): number {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((sum, f) => sum + treeBytes(path.join(p, f)), 0);
}

/** Runs a command, returns its stdout; throws with its stderr on a non-zero exit. */
export function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Shared libraries a shipped binary may need: glibc's and the C++ runtime, present everywhere. */
export const allowedLibs =
  /^(linux-vdso|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so/;

/**
 * Throws unless `file` needs only glibc/libstdc++ and the libraries matching `alsoAllowed` (so it
 * runs on any recent x86-64 Linux). `label` prefixes the error.
 */
export function checkLinkage(file: string, label: string, alsoAllowed?: RegExp): void {
  const libs = run('ldd', [file])
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean)
    .map((l) => path.basename(l));
  const other = libs.filter((l) => !allowedLibs.test(l) && !alsoAllowed?.test(l));
  if (other.length > 0)
    throw new Error(`${label}: ${file} links ${other.join(', ')}; a bare machine may lack them`);
}

/** The DT_NEEDED sonames of a shared library (readelf -d). */
export function neededLibs(file: string): string[] {
  return [
    ...run('readelf', ['-d', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g),
  ].map((m) => m[1]!);
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Copies ctx.nodeBinary (checked to need only glibc/libstdc++) to `dest` as an xz stream, compressed
 * once per binary and kept in ctx.cacheDir (xz -9 takes about a minute). Returns `node --version`.
 */
export function packNode(ctx: PackContext, dest: string): string {
  checkLinkage(ctx.nodeBinary, `${ctx.name} pack`);
  const cached = path.join(ctx.cacheDir, `node-${sha256(ctx.nodeBinary).slice(0, 16)}.xz`);
  if (!fs.existsSync(cached)) {
    ctx.log(`compressing ${ctx.nodeBinary} (once; cached in ${ctx.cacheDir})…`);
    const tmp = `${cached}.${process.pid}.tmp`;
    execFileSync('sh', ['-c', 'xz -T0 -9 -c "$1" > "$2"', 'sh', ctx.nodeBinary, tmp]);
    fs.renameSync(tmp, cached);
  }
  fs.copyFileSync(cached, dest);
  return run(ctx.nodeBinary, ['--version']).trim();
}

/** The cached `<pkg>_*_amd64.deb`, else `apt-get download <pkg>:amd64` into the cache. */
export function cachedDeb(ctx: PackContext, pkg: string): string {
  const pattern = new RegExp(`^${pkg.replace(/[+.]/g, '\\$&')}_.*_amd64\\.deb$`);
  const find = () => fs.readdirSync(ctx.cacheDir).find((f) => pattern.test(f));
  let deb = find();
  if (!deb) {
    try {
      run('apt-get', ['download', `${pkg}:amd64`], ctx.cacheDir);
    } catch (err) {
      throw new Error(
        `${ctx.name} pack: 'apt-get download ${pkg}' failed (${(err as Error).message.split('\n')[0]}); put its .deb into ${ctx.cacheDir}`,
      );
    }
    deb = find();
    if (!deb)
      throw new Error(`${ctx.name} pack: apt-get download ${pkg} left no .deb in ${ctx.cacheDir}`);
  }
  return path.join(ctx.cacheDir, deb);
}

/**
 * Bundles `entry` (repo-relative) into one ESM file for Node 20. Packages in `external` stay
 * outside (shipped beside it in node_modules); the banner gives the bundle a `require` for the
 * CommonJS code bundled into ESM and for those external packages, and global `__filename` /
 * `__dirname` (the bundle's) for CommonJS code that reads them (write-file-atomic hashes
 * `__filename` into its temp names); globals, so an ESM module's own `__filename` cannot clash.
 */
export async function bundleEsm(
  entry: string,
  outfile: string,
  external: string[],
  minify = false,
): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(repoRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify,
    external,
    legalComments: 'external',
    logLevel: 'error',
    banner: {
      js: [
        "import { createRequire as __cr } from 'node:module';",
        "import { fileURLToPath as __fu } from 'node:url';",
        'const require = __cr(import.meta.url);',
        'globalThis.__filename ??= __fu(import.meta.url);',
        "globalThis.__dirname ??= __fu(new URL('.', import.meta.url));",
      ].join(' '),
    },
  });
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Whether an installed package's os/cpu/libc fields admit linux-x64 with glibc. */
function forLinuxX64(p: PackageJson): boolean {
  return (
    (!p.os || p.os.includes('linux')) &&
    (!p.cpu || p.cpu.includes('x64')) &&
    (!p.libc || p.libc.includes('glibc'))
  );
}

/**
 * Copies the installed packages `names` from the repo's node_modules into `destNodeModules`, with
 * their dependencies and those optional dependencies that are installed and made for linux-x64
 * glibc (sharp's prebuilt binary and libvips), recursively. Returns name → version of all copied.
 * Errors: a package or a (non-optional) dependency that is not installed.
 */
export function copyPackages(names: string[], destNodeModules: string): Record<string, string> {
  const copied: Record<string, string> = {};
  const queue = names.map((name) => ({ name, optional: false }));
  for (let item = queue.shift(); item; item = queue.shift()) {
    if (item.name in copied) continue;
    const src = path.join(repoRoot, 'node_modules', item.name);
    if (!fs.existsSync(path.join(src, 'package.json'))) {
      if (item.optional) continue;
      throw new Error(
        `pack: npm package ${item.name} is not installed in ${repoRoot}/node_modules`,
      );
    }
    const pkg = readPackage(src);
    if (item.optional && !forLinuxX64(pkg)) continue;
    fs.cpSync(src, path.join(destNodeModules, item.name), { recursive: true });
    copied[item.name] = pkg.version;
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      queue.push({ name: dep, optional: false });
    for (const dep of Object.keys(pkg.optionalDependencies ?? {}))
      queue.push({ name: dep, optional: true });
  }
  return copied;
}

/** The checkout's short commit, or 'unknown' outside git. */
export function gitCommit(): string {
  try {
    return run('git', ['rev-parse', '--short', 'HEAD'], repoRoot).trim();
  } catch {
    return 'unknown';
  }
}

/** Writes `manifest` (plus when, commit) as MANIFEST.json into each folder of `dirs`. */
export function writeManifest(dirs: string[], manifest: Record<string, unknown>): void {
  const text = `${JSON.stringify({ built: new Date().toISOString(), commit: gitCommit(), ...manifest }, null, 2)}\n`;
  for (const d of dirs) fs.writeFileSync(path.join(d, 'MANIFEST.json'), text);
}

/** Copies a run script into outDir as run.sh (executable). */
export function installRunScript(src: string, outDir: string): void {
  fs.copyFileSync(src, path.join(outDir, 'run.sh'));
  fs.chmodSync(path.join(outDir, 'run.sh'), 0o755);
}
