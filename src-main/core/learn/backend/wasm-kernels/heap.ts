// Low-level helpers for kernels that run inside the wasm backend: heap views, zero-copy aliases,
// calls into the backend's own kernels. Kernels work on TensorInfos, never on tf.* ops.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  getKernel,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

export type { BackendWasm };

/** Calls a kernel of the wasm backend directly (no tape, no engine bookkeeping). */
export function callKernel(
  name: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm kernel ${name} is not registered`);
  const fn: KernelFunc = config.kernelFunc;
  const out = fn({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

/** Fresh Float32Array view of a tensor (views go stale when the heap grows: re-fetch after allocating). */
export function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Heap byte offset of a tensor's data. */
export function offsetOf(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId).memoryOffset;
}

/** Allocates an uninitialised float32 tensor on the heap. */
export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** Frees a tensor we created (one reference). */
export function free(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/**
 * A tensor with a fresh id that views existing heap memory (no copy). Fresh ids matter: XNNPACK
 * caches packed weights by tensor id, so memory with new contents must never reuse an id.
 */
export function alias(backend: BackendWasm, byteOffset: number, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32', byteOffset);
}

/** Unregisters an alias without freeing the memory it points into. */
export function dropAlias(backend: BackendWasm, info: TensorInfo): void {
  const data = backend.dataIdMap.get(info.dataId);
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(info.dataId);
}
