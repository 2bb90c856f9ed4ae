// Depthwise-conv backprop kernels for the wasm backend (it has none): direct loops over the heap.
// Depthwise layers are cheap (no channel mixing), so plain JS loops are fast enough here.
import {
  backend_util,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { f32, type BackendWasm } from './heap';

interface DepthwiseGradAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function depthwiseInfo(
  xShape: number[],
  filterShape: number[],
  attrs: DepthwiseGradAttrs,
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
    'channelsLast',
  );
}

/** Visits every (input pixel, output pixel, tap) triple once; shared by both gradients. */
function forEachTap(
  conv: backend_util.Conv2DInfo,
  visit: (xBase: number, yBase: number, tapBase: number) => void,
): void {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
  } = conv;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = conv;
  const { dilationHeight: dh, dilationWidth: dw, outChannels: co } = conv;
  const padT = conv.padInfo.top;
  const padL = conv.padInfo.left;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const yBase = ((b * oh + y) * ow + x) * co;
        for (let a = 0; a < kh; a++) {
          const iy = y * sh - padT + a * dh;
          if (iy < 0 || iy >= h) continue;
          for (let e = 0; e < kw; e++) {
            const ix = x * sw - padL + e * dw;
            if (ix < 0 || ix >= w) continue;
            visit(((b * h + iy) * w + ix) * c, yBase, (a * kw + e) * co);
          }
        }
      }
    }
  }
}

function depthwiseFilterGrad(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs;
  if (!x || !dy) throw new Error('DepthwiseConv2dNativeBackpropFilter (wasm): missing x or dy');
  const attrs = args.attrs as unknown as DepthwiseGradAttrs & { filterShape: number[] };
  const conv = depthwiseInfo(x.shape, attrs.filterShape, attrs);
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  const dwv = f32(backend, out);
  dwv.fill(0);
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  const c = conv.inChannels;
  const m = conv.outChannels / c;
  forEachTap(conv, (xBase, yBase, tapBase) => {
    for (let ch = 0; ch < c; ch++) {
      const xval = xv[xBase + ch];
      for (let q = 0; q < m; q++) dwv[tapBase + ch * m + q] += xval * dyv[yBase + ch * m + q];
    }
  });
  return out;
}

function depthwiseInputGrad(args: {
  inputs: { dy?: TensorInfo; filter?: TensorInfo };
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs;
  if (!dy || !filter)
    throw new Error('DepthwiseConv2dNativeBackpropInput (wasm): missing dy or filter');
  const attrs = args.attrs as unknown as DepthwiseGradAttrs & { inputShape: number[] };
  const conv = depthwiseInfo(attrs.inputShape, filter.shape, attrs);
  const out = backend.makeOutput(attrs.inputShape, 'float32');
  const dxv = f32(backend, out);
  dxv.fill(0);
  const wv = f32(backend, filter);
  const dyv = f32(backend, dy);
  const c = conv.inChannels;
  const m = conv.outChannels / c;
  forEachTap(conv, (xBase, yBase, tapBase) => {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let q = 0; q < m; q++) s += wv[tapBase + ch * m + q] * dyv[yBase + ch * m + q];
      dxv[xBase + ch] += s;
    }
  });
  return out;
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseFilterGrad as unknown as KernelConfig['kernelFunc'],
};

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseInputGrad as unknown as KernelConfig['kernelFunc'],
};
