// The GPU bench pack (bench/pack/core.ts builds it; `npm run bench:pack -- gpu`): this machine's
// node binary (node.xz), one esbuild bundle + the linux-x64 dawn.node + Debian's Vulkan loader and
// glvnd libraries (payload.tar.xz) and run.sh, in one folder of at most 64 MiB.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  allowedLibs,
  buildPackWith,
  bundleEsm,
  cachedDeb,
  checkLinkage,
  installRunScript,
  neededLibs,
  packNode,
  repoRoot,
  run,
  writeManifest,
  type PackBaseOptions,
  type PackContext,
  type PackDefinition,
  type PackResult,
} from '../pack/core';

export { PACK_LIMIT_BYTES, type PackResult } from '../pack/core';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const defaultPackDir = path.join(benchDir, '.pack');

export interface PackOptions extends PackBaseOptions {
  /** A libvulkan1 .deb to use instead of `apt-get download libvulkan1`. */
  libvulkanDeb?: string;
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

/**
 * Copies the libraries of packedDebLibs (dereferenced, named by soname) into libDir. Errors: a .deb
 * without the expected library, or a library needing more than glibc, the other packed libraries
 * and optionalLibs.
 */
function packDebLibs(ctx: PackContext, opts: PackOptions, libDir: string): void {
  const packed = new Set(Object.values(packedDebLibs).flat());
  for (const [pkg, sonames] of Object.entries(packedDebLibs)) {
    const deb = pkg === 'libvulkan1' && opts.libvulkanDeb ? opts.libvulkanDeb : cachedDeb(ctx, pkg);
    const x = path.join(ctx.work, `deb-${pkg}`);
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

/** outDir/{run.sh, node.xz, payload.tar.xz, MANIFEST.json}; the payload unpacks to a temp dir. */
export const gpuPack: PackDefinition<PackOptions> = {
  name: 'gpu',
  defaultOutDir: defaultPackDir,
  async fill(ctx, opts) {
    const stage = path.join(ctx.work, 'payload');
    fs.mkdirSync(path.join(stage, 'lib'), { recursive: true });
    ctx.log('bundling bench/gpu/webgpu-bench.ts…');
    // `webgpu` stays outside: it loads dawn.node from its own folder.
    await bundleEsm('bench/gpu/webgpu-bench.ts', path.join(stage, 'bench.mjs'), ['webgpu'], true);

    const webgpuDir = path.join(repoRoot, 'node_modules/webgpu');
    const dawn = path.join(webgpuDir, 'dist/linux-x64/dawn.node');
    if (!fs.existsSync(dawn)) throw new Error(`gpu pack: ${dawn} is missing (npm package webgpu)`);
    checkLinkage(dawn, 'gpu pack');
    // Only the linux-x64 Dawn build of the package, none of its other platforms.
    const webgpuOut = path.join(stage, 'node_modules/webgpu');
    fs.mkdirSync(path.join(webgpuOut, 'dist/linux-x64'), { recursive: true });
    for (const f of ['index.js', 'package.json', 'LICENSE.md'])
      fs.copyFileSync(path.join(webgpuDir, f), path.join(webgpuOut, f));
    fs.copyFileSync(dawn, path.join(webgpuOut, 'dist/linux-x64/dawn.node'));

    packDebLibs(ctx, opts, path.join(stage, 'lib'));
    const node = packNode(ctx, path.join(ctx.outDir, 'node.xz'));
    const webgpu = (
      JSON.parse(fs.readFileSync(path.join(webgpuDir, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    writeManifest([stage, ctx.outDir], {
      node,
      webgpu,
      run: 'bash run.sh --out gpu-bench.json   (bash run.sh --help)',
    });
    ctx.log('compressing the payload…');
    execFileSync('sh', [
      '-c',
      'tar -C "$1" -cf - . | xz -T0 -9 -c > "$2"',
      'sh',
      stage,
      path.join(ctx.outDir, 'payload.tar.xz'),
    ]);
    installRunScript(path.join(benchDir, 'run.sh'), ctx.outDir);
    ctx.log(`${node}, webgpu ${webgpu}`);
  },
};

/**
 * Builds the GPU pack (default bench/gpu/.pack). Needs xz, dpkg-deb, readelf and (without cached
 * .debs) apt-get. Errors: not on linux-x64, a binary linking more than glibc/libstdc++, a missing
 * Dawn build, or a pack over PACK_LIMIT_BYTES.
 */
export function buildPack(opts: PackOptions = {}): Promise<PackResult> {
  return buildPackWith(gpuPack, opts);
}
