// Builds the GPU bench pack, checks its size, and runs it from a copy of the packed folder alone
// (no node on PATH, no node_modules) against SwiftShader's Vulkan driver from Debian's chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPack, PACK_LIMIT_BYTES, packedDebLibs, type PackResult } from './pack';

/** The folder holding vk_swiftshader_icd.json (Debian's chromium package ships it), or null. */
function swiftshaderDir(): string | null {
  const candidates = [process.env.PLATELAB_SWIFTSHADER_DIR, '/usr/lib/chromium'];
  try {
    const listed = execFileSync('dpkg', ['-L', 'chromium'], { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.endsWith('/vk_swiftshader_icd.json'));
    if (listed) candidates.unshift(path.dirname(listed));
  } catch {
    // chromium not installed through dpkg
  }
  return (
    candidates.find((d) => d && fs.existsSync(path.join(d, 'vk_swiftshader_icd.json'))) ?? null
  );
}

function has(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const swiftshader = swiftshaderDir();
const torchHere = spawnSync('python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const canRun = process.platform === 'linux' && process.arch === 'x64' && swiftshader !== null;
if (!canRun)
  console.warn('gpu pack test skipped: needs linux-x64 and SwiftShader (apt-get install chromium)');

describe.skipIf(!canRun)('GPU bench pack', () => {
  let tmp: string;
  let pack: PackResult;
  let packDir: string;
  let binDir: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-gpupack-test-'));
    pack = await buildPack({ outDir: path.join(tmp, 'built'), log: () => {} });
    // Only the packed folder travels to a GPU machine: run a copy of it, far from this checkout.
    packDir = path.join(tmp, 'copy');
    fs.cpSync(pack.outDir, packDir, { recursive: true });
    // A PATH with the shell tools run.sh uses and no node.
    binDir = path.join(tmp, 'bin');
    fs.mkdirSync(binDir);
    for (const tool of [
      'bash',
      'sh',
      'mktemp',
      'xz',
      'tar',
      'chmod',
      'cat',
      'tr',
      'sed',
      'rm',
      'dirname',
      'tee',
      'grep',
      'head',
    ]) {
      const where = has(tool);
      if (!where) throw new Error(`gpu pack test: ${tool} is not installed`);
      fs.symlinkSync(where, path.join(binDir, tool));
    }
    const python = has('python3');
    if (python) fs.symlinkSync(python, path.join(binDir, 'python3'));
  }, 600_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const runPack = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('bash', [path.join(packDir, 'run.sh'), ...args], {
      cwd: tmp,
      encoding: 'utf8',
      timeout: 400_000,
      env: { PATH: binDir, HOME: tmp, TMPDIR: tmp, ...env },
    });

  it('fits in 64 MiB as node.xz + payload.tar.xz + run.sh', () => {
    expect(Object.keys(pack.files).sort()).toEqual([
      'MANIFEST.json',
      'node.xz',
      'payload.tar.xz',
      'run.sh',
    ]);
    expect(pack.totalBytes).toBeLessThanOrEqual(PACK_LIMIT_BYTES);
    // The node binary really is in there (a 20+ MiB xz stream), not a stub.
    expect(pack.files['node.xz']).toBeGreaterThan(15 * 2 ** 20);
    const listing = execFileSync('tar', ['-tJf', path.join(packDir, 'payload.tar.xz')], {
      encoding: 'utf8',
    });
    expect(listing).toContain('./bench.mjs');
    // The Vulkan loader and the glvnd libraries the NVIDIA driver needs (a bare machine lacks them).
    for (const soname of Object.values(packedDebLibs).flat())
      expect(listing).toContain(`./lib/${soname}`);
    expect(listing).toContain('./lib/libGLdispatch.so.0');
    expect(listing).toContain('./node_modules/webgpu/dist/linux-x64/dawn.node');
    // Only the linux-x64 Dawn build, none of the package's other platforms.
    expect(listing).not.toMatch(/darwin|win32|linux-arm64/);
  });

  it('trains on WebGPU (SwiftShader) from the packed folder alone', () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: binDir } }).status).not.toBe(
      0,
    );
    const outFile = path.join(tmp, 'bench.json');
    const t = performance.now();
    const r = runPack([
      '--swiftshader',
      swiftshader!,
      '--out',
      outFile,
      '--nets',
      'resnet-mini@32',
      '--batch',
      '2',
      '--warmup',
      '1',
      '--steps',
      '2',
      '--infer-steps',
      '1',
      '--torch',
      torchHere ? 'cpu' : 'off',
    ]);
    const seconds = Math.round((performance.now() - t) / 1000);
    expect(r.status, `run.sh failed:\n${r.stderr}`).toBe(0);
    const result = JSON.parse(r.stdout) as {
      complete: boolean;
      adapter: { architecture: string; software: boolean };
      node: string;
      results: {
        net: string;
        webgpu: {
          trainImgPerS: number;
          inferImgPerS: number;
          timedSteps: number;
          lossFirst: number;
          leakedTensorsPerRun: number;
        };
        torch?: { trainImgPerS: number };
      }[];
    };
    console.info(`gpu pack on SwiftShader: ${seconds} s, ${JSON.stringify(result.results[0])}`);
    expect(JSON.parse(fs.readFileSync(outFile, 'utf8'))).toEqual(result);
    expect(result.complete).toBe(true);
    expect(result.node).toBe(process.version);
    expect(result.adapter.architecture).toBe('swiftshader');
    expect(result.adapter.software).toBe(true);
    const row = result.results[0]!;
    expect(row.net).toBe('resnet-mini');
    expect(row.webgpu.timedSteps).toBe(2);
    expect(row.webgpu.trainImgPerS).toBeGreaterThan(0);
    expect(row.webgpu.inferImgPerS).toBeGreaterThan(0);
    expect(Number.isFinite(row.webgpu.lossFirst)).toBe(true);
    expect(row.webgpu.leakedTensorsPerRun).toBe(0);
    if (torchHere) expect(row.torch?.trainImgPerS).toBeGreaterThan(0);
    // The unpacked temp dir is removed afterwards.
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('platelab-gpubench.'))).toEqual([]);
  }, 420_000);

  it('names the library an ICD needs when the loader finds no driver', () => {
    const icd = path.join(tmp, 'missing_icd.json');
    fs.writeFileSync(
      icd,
      JSON.stringify({
        file_format_version: '1.0.0',
        ICD: { library_path: 'libPlateLabMissing_nvidia.so.0', api_version: '1.3.0' },
      }),
    );
    const r = runPack(['--nets', 'resnet-mini@32', '--batch', '2', '--torch', 'off'], {
      VK_DRIVER_FILES: icd,
    });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/Found no drivers/);
    expect(r.stderr).toContain('run.sh: HINT: the Vulkan loader found no usable driver');
    expect(r.stderr).toContain(`ICD json ${icd} needs library: libPlateLabMissing_nvidia.so.0`);
    expect(r.stderr).toMatch(/libPlateLabMissing_nvidia\.so\.0: not found/);
    const result = JSON.parse(r.stdout) as { adapter: { error?: string } };
    expect(result.adapter.error).toMatch(/no Vulkan driver/);
  }, 120_000);

  it('refuses to report a software adapter as GPU numbers unless --swiftshader is given', () => {
    const icd = path.join(swiftshader!, 'vk_swiftshader_icd.json');
    const r = runPack(['--nets', 'resnet-mini@32', '--batch', '2', '--torch', 'off'], {
      VK_DRIVER_FILES: icd,
    });
    expect(r.status, r.stderr).toBe(3);
    const result = JSON.parse(r.stdout) as {
      adapter: { error?: string };
      results: { webgpu: { error?: string; trainImgPerS?: number } }[];
    };
    expect(result.adapter.error).toMatch(/software adapter/);
    expect(result.results[0]!.webgpu.trainImgPerS).toBeUndefined();
    expect(result.results[0]!.webgpu.error).toMatch(/did not start/);
  }, 120_000);
});
