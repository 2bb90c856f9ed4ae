// Registers PlateLab's training kernels on the wasm backend (replacing the slow built-in
// Conv2DBackpropInput and MaxPoolGrad). Idempotent; call before tf.setBackend('wasm').
import '@tensorflow/tfjs-backend-wasm';
import {
  engine,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs-core';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './batch-norm';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { maxPoolGradConfig } from './max-pool-grad';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop';

export const wasmTrainingKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  maxPoolGradConfig,
];

/** Built-in kernels we replaced, kept so benchmarks can measure them against ours. */
const replacedBuiltins = new Map<string, KernelConfig>();

function install(config: KernelConfig): void {
  const existing = getKernel(config.kernelName, 'wasm');
  if (existing === config) return;
  if (existing) {
    if (!wasmTrainingKernels.includes(existing)) replacedBuiltins.set(config.kernelName, existing);
    unregisterKernel(config.kernelName, 'wasm');
  }
  registerKernel(config);
}

/** Installs our kernels; returns their names (for the backend "detail" line). */
export function registerWasmTrainingKernels(): string[] {
  for (const config of wasmTrainingKernels) install(config);
  return wasmTrainingKernels.map((k) => k.kernelName);
}

/**
 * For benchmarks: puts tfjs' own wasm kernels back for the named ones we replaced (e.g.
 * 'MaxPoolGrad', 'Conv2DBackpropInput'); registerWasmTrainingKernels() undoes it.
 */
export function useBuiltinWasmKernels(names: string[]): string[] {
  const restored: string[] = [];
  for (const name of names) {
    const builtin = replacedBuiltins.get(name);
    if (!builtin) continue;
    unregisterKernel(name, 'wasm');
    registerKernel(builtin);
    // Built-ins bind their wasm function in setupFunc, which only runs at backend start.
    const backend = engine().findBackend('wasm');
    if (backend && builtin.setupFunc) builtin.setupFunc(backend);
    restored.push(name);
  }
  return restored;
}
