// Strided Conv2DBackpropInput by sub-pixel (polyphase) decomposition: each output-parity class of
// dx is a stride-1 correlation of dy with a flipped sub-filter, run as one XNNPACK Conv2D (which
// the wasm threadpool parallelises), then the s·s class results are interleaved into dx.
import { backend_util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { alias, callKernel, dropAlias, f32, free, offsetOf, type BackendWasm } from './heap';

/**
 * One axis of one parity class p (input positions i = s·q + p, q = 0..count-1).
 * With t = p + padBefore, a0 = t mod s and taps a = a0 + s·j (j = 0..taps-1):
 *   dx[s·q + p] = Σ_j dy[q + floor(t/s) − j] · W[a0 + s·j]
 * i.e. a stride-1 correlation of dy with the reversed taps and leading pad taps−1−floor(t/s).
 * XNNPACK needs pads ≥ 0, so a negative leading pad becomes pad 0 plus `skip` dropped outputs.
 */
export interface PhaseAxis {
  count: number;
  first: number;
  taps: number;
  padBefore: number;
  padAfter: number;
  skip: number;
}

export function phaseAxis(
  p: number,
  s: number,
  k: number,
  padBefore: number,
  inSize: number,
  outSize: number,
): PhaseAxis {
  const count = p < inSize ? Math.ceil((inSize - p) / s) : 0;
  const t = p + padBefore;
  const first = t % s;
  const taps = first < k ? Math.ceil((k - first) / s) : 0;
  const lead = taps - 1 - Math.floor(t / s);
  const before = Math.max(0, lead);
  const skip = before - lead;
  // Conv output rows = outSize + before + after − taps + 1 must reach skip + count.
  const after = Math.max(0, skip + count + taps - 1 - outSize - before);
  return { count, first, taps, padBefore: before, padAfter: after, skip };
}

/**
 * Wᵀ per tap: [KH,KW,CI,CO] → [KH,KW,CO,CI] (the wasm Transpose kernel, one pass). With CI or CO
 * of 1 the two layouts are the same memory order, so the caller uses the filter itself.
 */
function transposedTaps(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const w3 = alias(backend, offsetOf(backend, filter), [kh * kw, ci, co]);
  const wT = callKernel('Transpose', backend, { x: w3 }, { perm: [0, 2, 1] });
  dropAlias(backend, w3);
  return wT;
}

/** Sub-filter [JY,JX,CO,CI] of the class: taps reversed, F[j',i'] = Wᵀ[ay(J−1−j'), ax(I−1−i')]. */
function subFilter(
  backend: BackendWasm,
  wT: TensorInfo,
  kw: number,
  ci: number,
  co: number,
  y: PhaseAxis,
  x: PhaseAxis,
  sh: number,
  sw: number,
): TensorInfo {
  // wT holds CO·CI floats per tap in [CO,CI] order (the filter itself when CI or CO is 1).
  const block = ci * co;
  const sub = backend.makeOutput([y.taps, x.taps, co, ci], 'float32');
  const src = f32(backend, wT);
  const dst = f32(backend, sub);
  for (let j = 0; j < y.taps; j++) {
    const a = y.first + sh * (y.taps - 1 - j);
    for (let i = 0; i < x.taps; i++) {
      const b = x.first + sw * (x.taps - 1 - i);
      const from = (a * kw + b) * block;
      dst.set(src.subarray(from, from + block), (j * x.taps + i) * block);
    }
  }
  return sub;
}

/** dx [N,H,W,CI] for dy [N,OH,OW,CO] and filter [KH,KW,CI,CO] at stride > 1, no dilation. */
export function subpixelInputGrad(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  conv: backend_util.Conv2DInfo,
): TensorInfo {
  const [n, h, w, ci] = conv.inShape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = conv;
  const { outHeight: oh, outWidth: ow } = conv;
  const ys: PhaseAxis[] = [];
  const xs: PhaseAxis[] = [];
  for (let p = 0; p < sh; p++) ys.push(phaseAxis(p, sh, kh, conv.padInfo.top, h, oh));
  for (let p = 0; p < sw; p++) xs.push(phaseAxis(p, sw, kw, conv.padInfo.left, w, ow));

  const dx = backend.makeOutput([n, h, w, ci], 'float32');
  // Classes without taps (e.g. the odd pixels of a 1×1 stride-2 kernel) get no gradient.
  if (ys.some((a) => a.taps === 0 && a.count > 0) || xs.some((a) => a.taps === 0 && a.count > 0))
    f32(backend, dx).fill(0);
  const sameLayout = filter.shape[2] === 1 || filter.shape[3] === 1;
  const wT = sameLayout ? filter : transposedTaps(backend, filter);
  for (let py = 0; py < sh; py++) {
    const y = ys[py];
    if (y.taps === 0 || y.count === 0) continue;
    for (let px = 0; px < sw; px++) {
      const x = xs[px];
      if (x.taps === 0 || x.count === 0) continue;
      const sub = subFilter(backend, wT, kw, ci, conv.outChannels, y, x, sh, sw);
      const attrs: NamedAttrMap = {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [y.padBefore, y.padAfter],
          [x.padBefore, x.padAfter],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      };
      const part = callKernel('Conv2D', backend, { x: dy, filter: sub }, attrs);
      free(backend, sub);
      interleave(f32(backend, part), part.shape, f32(backend, dx), [n, h, w, ci], y, x, py, px, [
        sh,
        sw,
      ]);
      free(backend, part);
    }
  }
  if (!sameLayout) free(backend, wT);
  return dx;
}

/**
 * Copies class (py, px) from part [N,R,C,CI] (offset by skip) to dx[n, s·q+py, s·r+px, :]. Runs of
 * CI floats move with copyWithin on one view of the heap (a native memmove: ~2× a JS loop at
 * CI ≥ 32); narrow channels use the loop.
 */
function interleave(
  src: Float32Array,
  partShape: number[],
  dst: Float32Array,
  dxShape: number[],
  y: PhaseAxis,
  x: PhaseAxis,
  py: number,
  px: number,
  strides: [number, number],
): void {
  const [n, h, w, ci] = dxShape;
  const [, rows, cols] = partShape;
  const [sh, sw] = strides;
  const dStep = sw * ci;
  const heap = new Float32Array(dst.buffer);
  const src0 = src.byteOffset >> 2;
  const dst0 = dst.byteOffset >> 2;
  const native = ci >= COPY_WITHIN_MIN;
  for (let img = 0; img < n; img++) {
    for (let q = 0; q < y.count; q++) {
      let s = src0 + ((img * rows + q + y.skip) * cols + x.skip) * ci;
      let d = dst0 + ((img * h + sh * q + py) * w + px) * ci;
      if (native) {
        for (let r = 0; r < x.count; r++, s += ci, d += dStep) heap.copyWithin(d, s, s + ci);
      } else {
        for (let r = 0; r < x.count; r++, s += ci, d += dStep) {
          for (let c = 0; c < ci; c++) heap[d + c] = heap[s + c];
        }
      }
    }
  }
}

/** Channel count from which copyWithin beats the scalar copy loop. */
const COPY_WITHIN_MIN = 32;
