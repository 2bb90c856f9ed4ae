// Backend selection on this machine: the native and WebGPU backends are absent or have no GPU, so
// 'auto' must land on wasm with our kernels and say why each faster backend was skipped.
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV, describeSelection, resolvePreference, selectBackend } from './select-backend';
import { getTf, type Tensor4D } from './tf';

const savedEnv = process.env[BACKEND_ENV];
afterEach(() => {
  if (savedEnv === undefined) delete process.env[BACKEND_ENV];
  else process.env[BACKEND_ENV] = savedEnv;
});

describe('selectBackend', () => {
  it('auto falls through to a working backend and keeps each reason', async () => {
    delete process.env[BACKEND_ENV];
    const sel = await selectBackend('auto');
    expect(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm']).toContain(sel.name);
    const tf = getTf();
    expect(tf.getBackend()).toBe(sel.name === 'tensorflow-gpu' ? 'tensorflow' : sel.name);
    if (sel.name === 'wasm') {
      expect(sel.rejected.map((r) => r.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu']);
      for (const r of sel.rejected) expect(r.reason.length).toBeGreaterThan(5);
      expect(sel.detail).toContain('Conv2DBackpropFilter');
    }
    expect(describeSelection(sel)[0]).toContain(sel.name);
    // The selected instance computes.
    const y = tf.tidy(
      () =>
        tf
          .conv2d(tf.ones([1, 4, 4, 2]) as Tensor4D, tf.ones([3, 3, 2, 1]) as Tensor4D, 1, 'same')
          .sum()
          .dataSync()[0],
    );
    expect(y).toBe(2 * (4 * 4 + 8 * 6 + 4 * 9)); // 4 corners × 4 taps, 8 edge pixels × 6, 4 inner × 9; 2 channels
  });

  it('honours an explicit preference and the env override', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(getTf().getBackend()).toBe('cpu');
    process.env[BACKEND_ENV] = 'wasm';
    expect(resolvePreference()).toBe('wasm');
    expect((await selectBackend()).name).toBe('wasm');
    expect(getTf().getBackend()).toBe('wasm');
  });

  it('rejects unknown names and reports why a named backend cannot start', async () => {
    process.env[BACKEND_ENV] = 'cuda';
    expect(() => resolvePreference()).toThrow(/PLATELAB_BACKEND 'cuda' is not one of/);
    delete process.env[BACKEND_ENV];
    // Without a GPU, WebGPU is refused with the reason and the way to use SwiftShader instead
    // (webgpu.test.ts runs it on SwiftShader, in its own processes).
    if (!process.env.PLATELAB_WEBGPU_SWIFTSHADER)
      await expect(selectBackend('webgpu')).rejects.toThrow(
        /webgpu: .*(PLATELAB_WEBGPU_SWIFTSHADER=1|no WebGPU adapter|not installed)/,
      );
  });
});
