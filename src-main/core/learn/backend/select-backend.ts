// Picks the fastest TensorFlow.js backend that really works on this machine: tfjs-node-gpu (CUDA)
// → tfjs-node → WebGPU through Dawn (`webgpu` package: a GPU adapter, or SwiftShader when asked)
// → wasm with our training kernels → cpu. Every refusal keeps its reason for the "why not" line.
import { readdirSync } from 'node:fs';
import { bundledTf, getTf, setTf, type Tf } from './tf';
import { prepareVulkanDriver, SWIFTSHADER_ENV } from './vulkan-driver';
import {
  adapterLine,
  openWebgpuAdapter,
  useWebgpuBackend,
  type WebGpuAdapter,
} from './webgpu-device';

export const backendNames = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];
export type BackendPreference = 'auto' | BackendName;

export interface BackendRejection {
  name: BackendName;
  reason: string;
}

export type { WebGpuAdapter };

export interface BackendSelection {
  name: BackendName;
  /** One line for humans: what runs and how (e.g. "wasm SIMD, 1 thread, PlateLab training kernels"). */
  detail: string;
  /** The WebGPU adapter in use (webgpu only). */
  adapter?: WebGpuAdapter;
  /** Backends tried before this one and why each was not used. */
  rejected: BackendRejection[];
}

/** Env override, e.g. PLATELAB_BACKEND=wasm. */
export const BACKEND_ENV = 'PLATELAB_BACKEND';

function isPreference(value: string): value is BackendPreference {
  return value === 'auto' || (backendNames as readonly string[]).includes(value);
}

/** Resolves the preference from the argument, then PLATELAB_BACKEND, then 'auto'. */
export function resolvePreference(preference?: string): BackendPreference {
  const raw = (preference ?? process.env[BACKEND_ENV] ?? 'auto').trim().toLowerCase();
  if (!isPreference(raw)) {
    const source = preference !== undefined ? 'backend preference' : `${BACKEND_ENV}`;
    throw new Error(`${source} '${raw}' is not one of: auto, ${backendNames.join(', ')}`);
  }
  return raw;
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].slice(0, 300);
}

/** Loads a module only if installed; the name is a variable so bundlers and tsc leave it alone. */
async function optionalImport(name: string): Promise<Record<string, unknown>> {
  try {
    return (await import(/* @vite-ignore */ name)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new Error(`${name} is not installed`);
    throw new Error(`${name} failed to load: ${message(err)}`);
  }
}

/** The tf namespace exported by tfjs-node(-gpu) (ESM import of a CJS module may nest it in default). */
function asTf(mod: Record<string, unknown>): Tf {
  const candidate =
    typeof mod.getBackend === 'function'
      ? mod
      : (mod.default as Record<string, unknown> | undefined);
  if (
    !candidate ||
    typeof candidate.getBackend !== 'function' ||
    typeof candidate.layers !== 'object'
  ) {
    throw new Error('module does not export the TensorFlow.js API');
  }
  return candidate as unknown as Tf;
}

interface NodeBackendInfo {
  isUsingGpuDevice?: boolean;
}

async function tryTensorflow(gpu: boolean): Promise<string> {
  let pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  let mod: Record<string, unknown>;
  try {
    mod = await optionalImport(pkg);
  } catch (err) {
    // Without tfjs-node, tfjs-node-gpu still runs libtensorflow on the CPU when there is no GPU.
    if (gpu) throw err;
    pkg = '@tensorflow/tfjs-node-gpu';
    mod = await optionalImport(pkg).catch(() => Promise.reject(err));
  }
  const tfn = asTf(mod);
  if (!(await tfn.setBackend('tensorflow')))
    throw new Error(`${pkg} loaded but its 'tensorflow' backend did not start`);
  await tfn.ready();
  const usingGpu = (tfn.backend() as unknown as NodeBackendInfo).isUsingGpuDevice === true;
  if (gpu && !usingGpu)
    throw new Error(`${pkg} loaded but found no CUDA GPU (libtensorflow runs on the CPU)`);
  setTf(tfn);
  return `${pkg} ${tfn.version_core ?? ''}: native libtensorflow on ${usingGpu ? 'a CUDA GPU' : 'the CPU'}`.trim();
}

/** Linux without any GPU device node has no adapter to find; skip loading Dawn (it warns noisily). */
function linuxWithoutGpuDevice(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    if (readdirSync('/dev/dri').length > 0) return false;
  } catch {
    // no /dev/dri
  }
  try {
    return !readdirSync('/dev').some((name) => name.startsWith('nvidia'));
  } catch {
    return false;
  }
}

interface Attempt {
  detail: string;
  adapter?: WebGpuAdapter;
}

async function tryWebgpu(): Promise<Attempt> {
  // The driver choice goes into the environment before Dawn loads or creates its instance.
  const driver = prepareVulkanDriver();
  if (driver.source === 'system' && linuxWithoutGpuDevice())
    throw new Error(
      `no GPU device on this machine (/dev/dri and /dev/nvidia* absent; ${SWIFTSHADER_ENV}=1 runs WebGPU on SwiftShader)`,
    );
  let opened: Awaited<ReturnType<typeof openWebgpuAdapter>>;
  try {
    opened = await openWebgpuAdapter(
      driver.source === 'swiftshader'
        ? `no WebGPU adapter on the SwiftShader driver ${driver.icd}`
        : 'no WebGPU adapter (no Vulkan/Metal/D3D12 GPU driver found)',
    );
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new Error('webgpu is not installed');
    throw err;
  }
  const { gpu, adapter } = opened;
  if (adapter.software && driver.source !== 'swiftshader')
    throw new Error(
      `only a software WebGPU adapter (${adapterLine(adapter)}), slower than wasm; ${SWIFTSHADER_ENV}=1 uses it anyway`,
    );
  await useWebgpuBackend(gpu);
  const api = process.platform === 'linux' ? 'Dawn, Vulkan' : 'Dawn';
  const via = driver.source === 'swiftshader' ? ` via ${SWIFTSHADER_ENV}` : '';
  return { detail: `WebGPU (${api}) on ${adapterLine(adapter)}${via}`, adapter };
}

async function tryWasm(): Promise<string> {
  const { registerWasmTrainingKernels } = await import('./wasm-kernels/register');
  const { registerThreadedWasm, restoreSingleThreadWasm, wantedWasmThreads } = await import(
    './wasm-threads'
  );
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const kernels = registerWasmTrainingKernels();
  const tfb = bundledTf();
  // Threads first (XNNPACK across cores); tfjs' single-threaded loader if they cannot start.
  let threadNote = '';
  const threads = wantedWasmThreads();
  if (threads > 1) {
    let ok = false;
    try {
      ok = registerThreadedWasm(wasm, threads) && (await quietly(() => tfb.setBackend('wasm')));
    } catch (err) {
      threadNote = `; threads off: ${message(err)}`;
    }
    if (!ok) {
      if (!threadNote) threadNote = '; threads off: the threaded wasm module failed to start';
      restoreSingleThreadWasm(wasm);
    }
  }
  if (tfb.getBackend() !== 'wasm' && !(await tfb.setBackend('wasm')))
    throw new Error('the wasm backend failed to initialise');
  setTf(tfb);
  const simd = await tfb.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const n = wasm.getThreadsCount();
  return `wasm${simd ? ' SIMD' : ''}, ${n} thread${n === 1 ? '' : 's'}${threadNote}, PlateLab kernels: ${kernels.join(', ')}`;
}

/**
 * Runs fn with tfjs' "Initialization of backend … failed" console warnings held back; a false
 * result becomes an error carrying the last warning (the cause).
 */
async function quietly(fn: () => Promise<boolean>): Promise<boolean> {
  const warn = console.warn;
  const held: string[] = [];
  console.warn = (...args: unknown[]) => held.push(args.map(String).join(' '));
  try {
    if (await fn()) return true;
  } finally {
    console.warn = warn;
  }
  throw new Error(held.at(-1)?.split('\n')[0] ?? 'the threaded wasm module failed to start');
}

async function tryCpu(): Promise<string> {
  const tfb = bundledTf();
  if (!(await tfb.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  setTf(tfb);
  return 'plain JavaScript cpu backend (very slow for training)';
}

const detailOnly = (run: () => Promise<string>) => async (): Promise<Attempt> => ({
  detail: await run(),
});

const attempts: Record<BackendName, () => Promise<Attempt>> = {
  'tensorflow-gpu': detailOnly(() => tryTensorflow(true)),
  tensorflow: detailOnly(() => tryTensorflow(false)),
  webgpu: tryWebgpu,
  wasm: detailOnly(tryWasm),
  cpu: detailOnly(tryCpu),
};

let selected: BackendSelection | null = null;

/**
 * Selects and initialises a backend. With a named preference only that backend is tried (an
 * error lists why it failed); 'auto' walks the order above. Later calls return the first result.
 */
export async function selectBackend(preference?: BackendPreference): Promise<BackendSelection> {
  const wanted = resolvePreference(preference);
  if (selected && (wanted === 'auto' || wanted === selected.name)) return selected;
  const order: readonly BackendName[] = wanted === 'auto' ? backendNames : [wanted];
  const rejected: BackendRejection[] = [];
  for (const name of order) {
    try {
      const { detail, adapter } = await attempts[name]();
      selected = adapter ? { name, detail, adapter, rejected } : { name, detail, rejected };
      return selected;
    } catch (err) {
      rejected.push({ name, reason: message(err) });
    }
  }
  throw new Error(
    `no TensorFlow.js backend could start: ${rejected.map((r) => `${r.name}: ${r.reason}`).join('; ')}`,
  );
}

/** The current selection, if any (for status lines). */
export function currentBackend(): BackendSelection | null {
  return selected;
}

/** Human "why not" lines, e.g. for `platelab train` output. */
export function describeSelection(sel: BackendSelection): string[] {
  return [
    `backend: ${sel.name} (${sel.detail})`,
    ...sel.rejected.map((r) => `  not ${r.name}: ${r.reason}`),
  ];
}

/** The tf instance after selection (same as getTf(); re-exported for callers of this module). */
export { getTf };
