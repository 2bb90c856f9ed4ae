// Conv2DBackpropFilter for the wasm backend (it has none). dW is itself a convolution: x seen as
// [CI, H, W, N] (batch = input channel, channels = images) convolved with dy as a [OH, OW, N, CO]
// filter at dilation = stride, which XNNPACK runs as one indirect GEMM without an im2col copy.
import {
  backend_util,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { alias, callKernel, dropAlias, f32, free, offsetOf, type BackendWasm } from './heap';

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** dW[kh,kw,ci,co] for x [N,H,W,CI], dy [N,OH,OW,CO]; shared with the depthwise kernels. */
export function conv2dFilterGrad(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  conv: backend_util.Conv2DInfo,
): TensorInfo {
  const [n, h, w, ci] = x.shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = conv;
  const { dilationHeight: dh, dilationWidth: dw } = conv;
  const [, oh, ow, co] = dy.shape;
  if (dh !== 1 || dw !== 1)
    throw new Error('Conv2DBackpropFilter (wasm): dilations are not supported');
  const padT = conv.padInfo.top;
  const padL = conv.padInfo.left;
  // Bottom/right padding making the output exactly kh×kw where possible (never negative: then the
  // output has extra rows/cols that we skip when reordering).
  const padB = Math.max(0, kh - 1 + (oh - 1) * sh + 1 - h - padT);
  const padR = Math.max(0, kw - 1 + (ow - 1) * sw + 1 - w - padL);
  const outH = h + padT + padB - (oh - 1) * sh;
  const outW = w + padL + padR - (ow - 1) * sw;

  const xT = callKernel('Transpose', backend, { x }, { perm: [3, 1, 2, 0] }); // [CI,H,W,N]
  // dy [N,OH,OW,CO] → filter [OH,OW,N,CO]: a transpose for N>1.
  const dyF =
    n === 1
      ? alias(backend, offsetOf(backend, dy), [oh, ow, 1, co])
      : callKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const attrs: NamedAttrMap = {
    strides: [1, 1],
    dilations: [sh, sw],
    pad: [
      [0, 0],
      [padT, padB],
      [padL, padR],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  };
  const r = callKernel('Conv2D', backend, { x: xT, filter: dyF }, attrs); // [CI,outH,outW,CO]
  if (n === 1) dropAlias(backend, dyF);
  else free(backend, dyF);
  free(backend, xT);

  let out: TensorInfo;
  if (outH === kh && outW === kw) {
    out = callKernel('Transpose', backend, { x: r }, { perm: [1, 2, 0, 3] });
  } else {
    out = backend.makeOutput([kh, kw, ci, co], 'float32');
    const src = f32(backend, r);
    const dst = f32(backend, out);
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++)
        for (let c = 0; c < ci; c++) {
          const s = ((c * outH + a) * outW + b) * co;
          dst.set(src.subarray(s, s + co), ((a * kw + b) * ci + c) * co);
        }
  }
  free(backend, r);
  return out;
}

function conv2DBackpropFilter(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs;
  if (!x || !dy) throw new Error('Conv2DBackpropFilter (wasm): missing x or dy');
  const attrs = args.attrs as unknown as FilterGradAttrs;
  if (attrs.dataFormat === 'NCHW')
    throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const conv = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return conv2dFilterGrad(backend, x, dy, conv);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
