// Which Vulkan driver Dawn (the `webgpu` package) finds: the system's loader and drivers by
// default; SwiftShader's CPU driver from Debian's chromium package only when asked
// (PLATELAB_WEBGPU_SWIFTSHADER). Must run before Dawn creates its Vulkan instance.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `1` (find chromium's copy) or the path of `vk_swiftshader_icd.json` / the folder holding it. */
export const SWIFTSHADER_ENV = 'PLATELAB_WEBGPU_SWIFTSHADER';
/** Path of a `libvulkan.so.1` to use instead of the system's (e.g. one unpacked from Debian's libvulkan1). */
export const VULKAN_LOADER_ENV = 'PLATELAB_VULKAN_LOADER';

const ICD_FILE = 'vk_swiftshader_icd.json';
const LOADER_FILE = 'libvulkan.so.1';
/** Where distributions put Chromium's private libraries (Debian/Ubuntu, Fedora, Arch). */
export const chromiumLibDirs = [
  '/usr/lib/chromium',
  '/usr/lib64/chromium',
  '/usr/lib/chromium-browser',
];

/** glibc's and musl's RTLD_NODELETE (Node does not export it): keep a library after dlclose. */
const RTLD_NODELETE = 0x1000;

export interface VulkanDriverSetup {
  /** 'system': the Vulkan loader and drivers the OS provides; 'swiftshader': the CPU driver. */
  source: 'system' | 'swiftshader';
  /** The driver manifest handed to the loader (VK_ICD_FILENAMES), when not the system's. */
  icd: string | null;
  /** The libvulkan.so.1 loaded ahead of Dawn, when not the system's. */
  loader: string | null;
}

function isOff(value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  return v === '' || v === '0' || v === 'false' || v === 'no' || v === 'off';
}

/**
 * The SwiftShader driver manifest named by PLATELAB_WEBGPU_SWIFTSHADER: `1`/`true` searches
 * chromiumLibDirs, anything else is the manifest or its folder. Null when the variable is off.
 * Throws naming the variable and the places looked at when no manifest is there.
 */
export function swiftShaderIcd(env: NodeJS.ProcessEnv = process.env): string | null {
  const raw = env[SWIFTSHADER_ENV];
  if (isOff(raw)) return null;
  const value = raw!.trim();
  const candidates = ['1', 'true', 'yes', 'on'].includes(value.toLowerCase())
    ? chromiumLibDirs.map((d) => path.join(d, ICD_FILE))
    : [value.endsWith('.json') ? value : path.join(value, ICD_FILE)];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found)
    throw new Error(
      `${SWIFTSHADER_ENV}=${value}: no SwiftShader Vulkan driver at ${candidates.join(', ')} ` +
        `(install Debian's chromium package, or set it to the path of ${ICD_FILE})`,
    );
  return path.resolve(found);
}

/**
 * Loads a Vulkan loader library by path so that Dawn's later dlopen("libvulkan.so.1") finds it
 * by its soname: LD_LIBRARY_PATH is read only when a process starts, so setting it here would
 * not reach this process. process.dlopen refuses the library (it is no Node addon) but, with
 * RTLD_NODELETE, leaves it loaded. Throws when the file cannot be loaded at all.
 */
function preloadLoader(file: string): void {
  if (!fs.existsSync(file)) throw new Error(`Vulkan loader ${file} not found`);
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, file, flags);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    if (!/did not self-register/.test(text))
      throw new Error(`Vulkan loader ${file} failed to load: ${text.split('\n')[0]}`);
  }
}

let prepared: VulkanDriverSetup | null = null;

/**
 * Points the Vulkan loader at the driver PlateLab should use, before Dawn starts: with
 * PLATELAB_WEBGPU_SWIFTSHADER, SwiftShader's manifest (VK_ICD_FILENAMES / VK_DRIVER_FILES) and
 * the libvulkan.so.1 beside it (else PLATELAB_VULKAN_LOADER's, else the system's); without it,
 * the system's drivers through PLATELAB_VULKAN_LOADER or the system loader. LD_LIBRARY_PATH is
 * extended too so child processes (training) find the same loader. Idempotent per process.
 */
export function prepareVulkanDriver(env: NodeJS.ProcessEnv = process.env): VulkanDriverSetup {
  if (prepared) return prepared;
  const icd = swiftShaderIcd(env);
  const custom = isOff(env[VULKAN_LOADER_ENV]) ? null : path.resolve(env[VULKAN_LOADER_ENV]!);
  let loader = custom;
  if (icd) {
    const beside = path.join(path.dirname(icd), LOADER_FILE);
    if (!loader && fs.existsSync(beside)) loader = beside;
    env.VK_ICD_FILENAMES = icd;
    env.VK_DRIVER_FILES = icd;
  }
  if (process.platform === 'linux' && loader) {
    preloadLoader(loader);
    const dir = path.dirname(loader);
    const paths = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
    if (!paths.includes(dir)) env.LD_LIBRARY_PATH = [dir, ...paths].join(':');
  }
  prepared = { source: icd ? 'swiftshader' : 'system', icd, loader };
  return prepared;
}
