// Registers PlateLab's training kernels on the wasm backend (replacing the slow built-in
// Conv2DBackpropInput and MaxPoolGrad). Idempotent; call before tf.setBackend('wasm').
import '@tensorflow/tfjs-backend-wasm';
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
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

/** Names of the kernels we install (for the backend "detail" line). */
export function registerWasmTrainingKernels(): string[] {
  for (const config of wasmTrainingKernels) {
    const existing = getKernel(config.kernelName, 'wasm');
    if (existing === config) continue;
    if (existing) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  return wasmTrainingKernels.map((k) => k.kernelName);
}
