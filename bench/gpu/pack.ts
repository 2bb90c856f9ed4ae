// Packs the GPU bench for a Linux x86-64 GPU machine without network or Node: this machine's node
// binary (node.xz), one esbuild bundle + the linux-x64 dawn.node + Debian's Vulkan loader and glvnd
// libraries (payload.tar.xz) and run.sh, in one folder of at most 64 MiB. node bin/run-ts.js bench/gpu/pack.ts
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '../..');

/** The GPU machine receives at most 64 MiB (repository included): the pack must stay well under. */
export const PACK_LIMIT_BYTES = 64 * 2 ** 20;
export const defaultPackDir = path.join(benchDir, '.pack');
const defaultCacheDir = path.join(benchDir, '.cache');

export interface PackOptions {
  /** Output folder (replaced). Default bench/gpu/.pack. */
  outDir?: string;
  /** Keeps node.xz and the .debs of packedDebLibs between packs. Default bench/gpu/.cache. */
  cacheDir?: string;
  /** The node binary to ship. Default: the one running this script. */
  nodeBinary?: string;
  /** A libvulkan1 .deb to use instead of `apt-get download libvulkan1`. */
  libvulkanDeb?: string;
  log?: (line: string) => void;
}

export interface PackResult {
  outDir: string;
  files: Record<string, number>;
  totalBytes: number;
}

/** Shared libraries a shipped binary may need: glibc's and the C++ runtime, present everywhere. */
const allowedLibs =
  /^(linux-vdso|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so/;

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Throws unless `file` needs only glibc/libstdc++ (so it runs on any recent x86-64 Linux). */
function checkLinkage(file: string): void {
  const libs = run('ldd', [file])
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean)
    .map((l) => path.basename(l));
  const other = libs.filter((l) => !allowedLibs.test(l));
  if (other.length > 0)
    throw new Error(
      `gpu pack: ${file} links ${other.join(', ')}; a bare GPU machine may lack them`,
    );
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** node.xz for this binary, compressed once and kept in the cache (xz -9 takes about a minute). */
function compressedNode(nodeBinary: string, cacheDir: string, log: (l: string) => void): string {
  const cached = path.join(cacheDir, `node-${sha256(nodeBinary).slice(0, 16)}.xz`);
  if (!fs.existsSync(cached)) {
    log(`gpu pack: compressing ${nodeBinary} (once; cached in ${cacheDir})…`);
    const tmp = `${cached}.tmp`;
    execFileSync('sh', ['-c', 'xz -T0 -9 -c "$1" > "$2"', 'sh', nodeBinary, tmp]);
    fs.renameSync(tmp, cached);
  }
  return cached;
}

/**
 * Debian packages whose libraries go into the pack's lib/ (on LD_LIBRARY_PATH): the Vulkan loader,
 * and glvnd, which the NVIDIA Vulkan driver (libGLX_nvidia.so.0) links (libGLdispatch.so.0) or
 * loads (libEGL.so.1 with __EGL_VENDOR_LIBRARY_FILENAMES); a bare GPU machine may have none of
 * them (H200 run, 2026-11-30: "Could not get 'vkCreateInstance' … for ICD libGLX_nvidia.so.0").
 */
export const packedDebLibs: Record<string, string[]> = {
  libvulkan1: ['libvulkan.so.1'],
  libglvnd0: ['libGLdispatch.so.0'],
  libglx0: ['libGLX.so.0'],
  libegl1: ['libEGL.so.1'],
  libgl1: ['libGL.so.1'],
  libopengl0: ['libOpenGL.so.0'],
  libgles2: ['libGLESv2.so.2'],
};

/**
 * Libraries a packed library may need that the pack does not ship: libGLX.so.0 links libX11, which
 * only GLX (not Vulkan) uses; the NVIDIA driver loads libGLX only when a GLX client asks.
 */
const optionalLibs = /^libX11\.so\.6$/;

/** The cached `<pkg>_*_amd64.deb`, else `apt-get download <pkg>:amd64` into the cache. */
function cachedDeb(pkg: string, cacheDir: string): string {
  const pattern = new RegExp(`^${pkg}_.*_amd64\\.deb$`);
  const find = () => fs.readdirSync(cacheDir).find((f) => pattern.test(f));
  let deb = find();
  if (!deb) {
    try {
      run('apt-get', ['download', `${pkg}:amd64`], cacheDir);
    } catch (err) {
      throw new Error(
        `gpu pack: 'apt-get download ${pkg}' failed (${(err as Error).message.split('\n')[0]}); put its .deb into ${cacheDir}`,
      );
    }
    deb = find();
    if (!deb) throw new Error(`gpu pack: apt-get download ${pkg} left no .deb in ${cacheDir}`);
  }
  return path.join(cacheDir, deb);
}

/** The DT_NEEDED sonames of a shared library (readelf -d). */
function neededLibs(file: string): string[] {
  return [
    ...run('readelf', ['-d', file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g),
  ].map((m) => m[1]!);
}

/**
 * Copies the libraries of packedDebLibs (dereferenced, named by soname) into libDir. Errors: a .deb
 * without the expected library, or a library needing more than glibc, the other packed libraries
 * and optionalLibs.
 */
function packDebLibs(opts: PackOptions, cacheDir: string, work: string, libDir: string): void {
  const packed = new Set(Object.values(packedDebLibs).flat());
  for (const [pkg, sonames] of Object.entries(packedDebLibs)) {
    const deb =
      pkg === 'libvulkan1' && opts.libvulkanDeb ? opts.libvulkanDeb : cachedDeb(pkg, cacheDir);
    const x = path.join(work, `deb-${pkg}`);
    run('dpkg-deb', ['-x', deb, x]);
    for (const soname of sonames) {
      const lib = path.join(x, 'usr/lib/x86_64-linux-gnu', soname);
      if (!fs.existsSync(lib))
        throw new Error(`gpu pack: ${deb} has no usr/lib/x86_64-linux-gnu/${soname}`);
      const other = neededLibs(lib).filter(
        (l) => !allowedLibs.test(l) && !packed.has(l) && !optionalLibs.test(l),
      );
      if (other.length > 0)
        throw new Error(`gpu pack: ${soname} (${pkg}) links ${other.join(', ')}, not in the pack`);
      fs.copyFileSync(fs.realpathSync(lib), path.join(libDir, soname));
    }
  }
}

/** The bench as one ESM file; `webgpu` stays outside (it loads dawn.node from its own folder). */
async function bundle(outfile: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(benchDir, 'webgpu-bench.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    external: ['webgpu'],
    legalComments: 'external',
    logLevel: 'error',
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
}

/**
 * Builds the pack: outDir/{run.sh, node.xz, payload.tar.xz, MANIFEST.json}. Needs xz, dpkg-deb,
 * readelf and (without cached .debs) apt-get. Errors: not on linux-x64, a binary linking more than
 * glibc/libstdc++, a missing Dawn build, or a pack over PACK_LIMIT_BYTES.
 */
export async function buildPack(opts: PackOptions = {}): Promise<PackResult> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `gpu pack: build it on linux-x64 (this is ${process.platform}-${process.arch})`,
    );
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const outDir = path.resolve(opts.outDir ?? defaultPackDir);
  const cacheDir = path.resolve(opts.cacheDir ?? defaultCacheDir);
  const nodeBinary = opts.nodeBinary ?? process.execPath;
  fs.mkdirSync(cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-gpupack-'));
  try {
    const stage = path.join(work, 'payload');
    fs.mkdirSync(path.join(stage, 'lib'), { recursive: true });
    log('gpu pack: bundling bench/gpu/webgpu-bench.ts…');
    await bundle(path.join(stage, 'bench.mjs'));

    const webgpuDir = path.join(repoRoot, 'node_modules/webgpu');
    const dawn = path.join(webgpuDir, 'dist/linux-x64/dawn.node');
    if (!fs.existsSync(dawn)) throw new Error(`gpu pack: ${dawn} is missing (npm package webgpu)`);
    checkLinkage(dawn);
    const webgpuOut = path.join(stage, 'node_modules/webgpu');
    fs.mkdirSync(path.join(webgpuOut, 'dist/linux-x64'), { recursive: true });
    for (const f of ['index.js', 'package.json', 'LICENSE.md'])
      fs.copyFileSync(path.join(webgpuDir, f), path.join(webgpuOut, f));
    fs.copyFileSync(dawn, path.join(webgpuOut, 'dist/linux-x64/dawn.node'));

    packDebLibs(opts, cacheDir, work, path.join(stage, 'lib'));
    checkLinkage(nodeBinary);
    const nodeVersion = run(nodeBinary, ['--version']).trim();
    const webgpuVersion = (
      JSON.parse(fs.readFileSync(path.join(webgpuDir, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    let commit = 'unknown';
    try {
      commit = run('git', ['rev-parse', '--short', 'HEAD'], repoRoot).trim();
    } catch {
      // not a git checkout
    }
    const manifest = {
      built: new Date().toISOString(),
      commit,
      node: nodeVersion,
      webgpu: webgpuVersion,
      run: 'bash run.sh --out gpu-bench.json   (bash run.sh --help)',
    };
    fs.writeFileSync(path.join(stage, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    log('gpu pack: compressing the payload…');
    execFileSync('sh', [
      '-c',
      'tar -C "$1" -cf - . | xz -T0 -9 -c > "$2"',
      'sh',
      stage,
      path.join(outDir, 'payload.tar.xz'),
    ]);
    fs.copyFileSync(compressedNode(nodeBinary, cacheDir, log), path.join(outDir, 'node.xz'));
    fs.copyFileSync(path.join(benchDir, 'run.sh'), path.join(outDir, 'run.sh'));
    fs.chmodSync(path.join(outDir, 'run.sh'), 0o755);
    fs.copyFileSync(path.join(stage, 'MANIFEST.json'), path.join(outDir, 'MANIFEST.json'));

    const files: Record<string, number> = {};
    for (const f of fs.readdirSync(outDir)) files[f] = fs.statSync(path.join(outDir, f)).size;
    const totalBytes = Object.values(files).reduce((a, b) => a + b, 0);
    if (totalBytes > PACK_LIMIT_BYTES)
      throw new Error(
        `gpu pack: ${outDir} is ${(totalBytes / 2 ** 20).toFixed(1)} MiB, over the 64 MiB a GPU machine receives`,
      );
    log(
      `gpu pack: ${outDir} ${(totalBytes / 2 ** 20).toFixed(1)} MiB (${nodeVersion}, webgpu ${webgpuVersion})`,
    );
    return { outDir, files, totalBytes };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      cache: { type: 'string' },
      node: { type: 'string' },
      'libvulkan-deb': { type: 'string' },
    },
  });
  buildPack({
    outDir: values.out,
    cacheDir: values.cache,
    nodeBinary: values.node,
    libvulkanDeb: values['libvulkan-deb'],
  }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
