// Dawn start-up shared by backend selection and the packed GPU bench: find a WebGPU adapter through
// the `webgpu` package, describe it in its own words, and put the bundled tfjs on its WebGPU backend.
import type { z } from 'zod';
import type { GpuAdapterInfo } from '../../../../src-shared/contract';
import { bundledTf, setTf } from './tf';

/** What a WebGPU adapter says about itself (GPUAdapterInfo), for the backend line. */
export type WebGpuAdapter = z.infer<typeof GpuAdapterInfo>;

/** The parts of Dawn's GPUAdapter PlateLab reads. */
export interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    device?: string;
    isFallbackAdapter?: boolean;
  };
  limits?: Record<string, number>;
  features?: Iterable<string>;
}
/** The parts of Dawn's GPU (navigator.gpu) PlateLab reads. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** The adapter's own words (GPUAdapterInfo getters), and whether it is a software one. */
export function describeAdapter(adapter: GpuAdapterLike): WebGpuAdapter {
  const info = adapter.info ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const vendor = text(info.vendor);
  const architecture = text(info.architecture);
  const description = text(info.description);
  return {
    vendor,
    architecture,
    device: text(info.device),
    description,
    software:
      adapter.isFallbackAdapter === true ||
      info.isFallbackAdapter === true ||
      /swiftshader|llvmpipe|lavapipe/i.test(`${vendor} ${architecture} ${description}`),
  };
}

/** "google swiftshader, driver: SwiftShader driver 5.0.0" (the parts the adapter reports). */
export function adapterLine(a: WebGpuAdapter): string {
  const who = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'an unnamed adapter';
  return `${who}${a.description ? `, driver: ${a.description}` : ''}${a.software ? ' (software, on the CPU)' : ''}`;
}

/**
 * Loads Dawn (the optional `webgpu` package; the Vulkan driver choice must already be in the
 * environment) and asks it for a high-performance adapter.
 * Errors: the package is not installed (the import's error), or `noAdapter` when Dawn finds none.
 */
export async function openWebgpuAdapter(
  noAdapter: string,
): Promise<{ gpu: GpuLike; raw: GpuAdapterLike; adapter: WebGpuAdapter }> {
  // The name is a variable so bundlers and tsc treat the optional package as external.
  const name = 'webgpu';
  const mod = (await import(/* @vite-ignore */ name)) as {
    create?: (flags: string[]) => GpuLike;
    globals?: object;
  };
  if (typeof mod.create !== 'function') throw new Error('webgpu package has no create()');
  Object.assign(globalThis, mod.globals ?? {});
  const gpu = mod.create([]);
  const raw = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!raw) throw new Error(noAdapter);
  return { gpu, raw, adapter: describeAdapter(raw) };
}

/**
 * Puts the bundled tfjs on its WebGPU backend over `gpu` (tfjs-backend-webgpu looks for
 * navigator.gpu, which Node 20 lacks). Errors: the backend fails to initialise.
 */
export async function useWebgpuBackend(gpu: GpuLike): Promise<void> {
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
  await import('@tensorflow/tfjs-backend-webgpu');
  const tf = bundledTf();
  if (!(await tf.setBackend('webgpu')))
    throw new Error('the tfjs WebGPU backend failed to initialise');
  setTf(tf);
}
