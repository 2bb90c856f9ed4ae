// MaxPoolGrad for the wasm backend: the built-in one took ~270 ms for a ResNet stem pool (batch
// 32, 64 px); this JS pass over the heap routes each dy to its window's first maximum.
import {
  backend_util,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { f32, type BackendWasm } from './heap';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function maxPoolGrad(args: {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, input } = args.inputs;
  if (!dy || !input) throw new Error('MaxPoolGrad (wasm): missing dy or input');
  const attrs = args.attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const padT = info.padInfo.top;
  const padL = info.padInfo.left;
  const dx = backend.makeOutput(input.shape, 'float32');
  const dxv = f32(backend, dx);
  dxv.fill(0);
  const xv = f32(backend, input);
  const dyv = f32(backend, dy);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let a = 0; a < fh; a++) {
          const iy = y * sh - padT + a;
          if (iy < 0 || iy >= h) continue;
          for (let e = 0; e < fw; e++) {
            const ix = x * sw - padL + e;
            if (ix < 0 || ix >= w) continue;
            const base = ((b * h + iy) * w + ix) * c;
            for (let k = 0; k < c; k++) {
              const v = xv[base + k];
              if (v > best[k] || where[k] < 0) {
                best[k] = v;
                where[k] = base + k;
              }
            }
          }
        }
        const o = ((b * oh + y) * ow + x) * c;
        for (let k = 0; k < c; k++) if (where[k] >= 0) dxv[where[k]] += dyv[o + k];
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
