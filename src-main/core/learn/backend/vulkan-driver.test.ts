// Which SwiftShader driver manifest PLATELAB_WEBGPU_SWIFTSHADER names: off values, a folder, a
// manifest path, chromium's copy, and a clear error naming the variable when there is none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumLibDirs, SWIFTSHADER_ENV, swiftShaderIcd } from './vulkan-driver';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-vk-'));
const manifest = path.join(dir, 'vk_swiftshader_icd.json');
fs.writeFileSync(manifest, '{"file_format_version": "1.0.0"}');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('swiftShaderIcd', () => {
  it('is off unless the variable is set to something other than an off value', () => {
    for (const value of [undefined, '', '0', 'false', 'off', 'no'])
      expect(swiftShaderIcd({ [SWIFTSHADER_ENV]: value })).toBeNull();
  });

  it('takes a folder holding the manifest or the manifest itself', () => {
    expect(swiftShaderIcd({ [SWIFTSHADER_ENV]: dir })).toBe(manifest);
    expect(swiftShaderIcd({ [SWIFTSHADER_ENV]: manifest })).toBe(manifest);
  });

  it('names the variable and the places looked at when there is no driver', () => {
    const missing = path.join(dir, 'nope');
    expect(() => swiftShaderIcd({ [SWIFTSHADER_ENV]: missing })).toThrow(
      `${SWIFTSHADER_ENV}=${missing}: no SwiftShader Vulkan driver at ${path.join(missing, 'vk_swiftshader_icd.json')}`,
    );
  });

  it("with 1 finds the chromium package's copy, or says to install chromium", () => {
    const installed = chromiumLibDirs
      .map((d) => path.join(d, 'vk_swiftshader_icd.json'))
      .find((f) => fs.existsSync(f));
    if (installed) expect(swiftShaderIcd({ [SWIFTSHADER_ENV]: '1' })).toBe(installed);
    else
      expect(() => swiftShaderIcd({ [SWIFTSHADER_ENV]: '1' })).toThrow(
        /install Debian's chromium package/,
      );
  });
});
