// Fast Conv2DBackpropInput for the wasm backend (the built-in one is a scalar C++ loop).
// Stride 1: dx is the convolution of dy with the flipped, transposed filter (XNNPACK Conv2D).
// Stride > 1: sub-pixel decomposition (one XNNPACK Conv2D per output-parity class, see
// subpixel-input-grad.ts), or for some shapes a GEMM dy·Wᵀ plus a JS col2im scatter-add.
import {
  backend_util,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { alias, callKernel, dropAlias, f32, free, offsetOf, type BackendWasm } from './heap';
import { subpixelInputGrad } from './subpixel-input-grad';

interface InputGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** Rows of the col matrix per GEMM call: keeps each group's output around 2 MB (cache friendly). */
const GROUP_BYTES = 2 * 1024 * 1024;

/**
 * W'[a,b,co,ci] = W[kh-1-a, kw-1-b, ci, co] in one JS pass (the wasm Reverse kernel took ~30 ms
 * per 3×3×512×512 filter; this takes ~3 ms).
 */
function flippedTransposedFilter(
  backend: BackendWasm,
  filter: TensorInfo,
  kh: number,
  kw: number,
  ci: number,
  co: number,
): TensorInfo {
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, out);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const srcTap = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
      const dstTap = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) {
        const s = srcTap + i * co;
        for (let o = 0; o < co; o++) dst[dstTap + o * ci + i] = src[s + o];
      }
    }
  }
  return out;
}

function strideOneInputGrad(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  conv: backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, padInfo } = conv;
  const wT = flippedTransposedFilter(backend, filter, kh, kw, conv.inChannels, conv.outChannels);
  const attrs: NamedAttrMap = {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [
      [0, 0],
      [kh - 1 - padInfo.top, kh - 1 - padInfo.bottom],
      [kw - 1 - padInfo.left, kw - 1 - padInfo.right],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  };
  const dx = callKernel('Conv2D', backend, { x: dy, filter: wT }, attrs);
  free(backend, wT);
  return dx;
}

/** The col2im path: XNNPACK GEMM dy·Wᵀ per group of images, then a JS scatter-add into dx. */
export function col2imInputGrad(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  conv: backend_util.Conv2DInfo,
): TensorInfo {
  const [n, h, w, ci] = conv.inShape;
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    outHeight: oh,
    outWidth: ow,
  } = conv;
  const co = conv.outChannels;
  const padT = conv.padInfo.top;
  const padL = conv.padInfo.left;
  const kcols = kh * kw * ci;
  // Wᵀ [1, CO, KH·KW·CI]: one fresh tensor per call, reused (same id, same contents) across groups.
  const w2 = alias(backend, offsetOf(backend, filter), [kcols, co]);
  const wT = callKernel('Transpose', backend, { x: w2 }, { perm: [1, 0] });
  dropAlias(backend, w2);
  const wT3 = alias(backend, offsetOf(backend, wT), [1, co, kcols]);

  const dx = backend.makeOutput([n, h, w, ci], 'float32');
  f32(backend, dx).fill(0);
  const rowsPerImage = oh * ow;
  const imagesPerGroup = Math.max(1, Math.floor(GROUP_BYTES / (rowsPerImage * kcols * 4)));
  const dyOff = offsetOf(backend, dy);
  for (let n0 = 0; n0 < n; n0 += imagesPerGroup) {
    const g = Math.min(imagesPerGroup, n - n0);
    const a = alias(backend, dyOff + n0 * rowsPerImage * co * 4, [1, g * rowsPerImage, co]);
    const cols = callKernel(
      'BatchMatMul',
      backend,
      { a, b: wT3 },
      { transposeA: false, transposeB: false },
    );
    dropAlias(backend, a);
    const src = f32(backend, cols);
    const dst = f32(backend, dx);
    let row = 0;
    for (let img = n0; img < n0 + g; img++) {
      const imgBase = img * h * w * ci;
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++, row++) {
          const rowBase = row * kcols;
          for (let a2 = 0; a2 < kh; a2++) {
            const iy = y * sh - padT + a2;
            if (iy < 0 || iy >= h) continue;
            for (let b2 = 0; b2 < kw; b2++) {
              const ix = x * sw - padL + b2;
              if (ix < 0 || ix >= w) continue;
              const s = rowBase + (a2 * kw + b2) * ci;
              const d = imgBase + (iy * w + ix) * ci;
              for (let c = 0; c < ci; c++) dst[d + c] += src[s + c];
            }
          }
        }
      }
    }
    free(backend, cols);
  }
  dropAlias(backend, wT3);
  free(backend, wT);
  return dx;
}

/**
 * Small dy planes (under 8×8) take the col2im path: there XNNPACK's Conv2D with a few output rows per
 * image runs at about half its GEMM speed (N=32, ResNet-18: dy 2×2×512 29 ms sub-pixel vs 18 ms
 * col2im), while the JS scatter it replaces is tiny. From 8×8 on, sub-pixel is as fast or faster
 * single-threaded and skips the serial scatter, which matters once XNNPACK runs multithreaded.
 */
export function useCol2im(conv: backend_util.Conv2DInfo): boolean {
  return conv.outHeight * conv.outWidth < SUBPIXEL_MIN_PLANE;
}

/** dy plane size (OH·OW) from which the sub-pixel path is used. */
const SUBPIXEL_MIN_PLANE = 64;

/** dx [N,H,W,CI] for dy [N,OH,OW,CO] and filter [KH,KW,CI,CO]. */
export function conv2dInputGrad(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  conv: backend_util.Conv2DInfo,
): TensorInfo {
  if (conv.dilationHeight !== 1 || conv.dilationWidth !== 1) {
    throw new Error('Conv2DBackpropInput (wasm): dilations are not supported');
  }
  if (conv.strideHeight === 1 && conv.strideWidth === 1)
    return strideOneInputGrad(backend, dy, filter, conv);
  if (useCol2im(conv)) return col2imInputGrad(backend, dy, filter, conv);
  return subpixelInputGrad(backend, dy, filter, conv);
}

function conv2DBackpropInput(args: {
  inputs: { dy?: TensorInfo; filter?: TensorInfo };
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs;
  if (!dy || !filter) throw new Error('Conv2DBackpropInput (wasm): missing dy or filter');
  const attrs = args.attrs as unknown as InputGradAttrs;
  if (attrs.dataFormat === 'NCHW')
    throw new Error('Conv2DBackpropInput (wasm): only NHWC is supported');
  const conv = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return conv2dInputGrad(backend, dy, filter, conv);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
