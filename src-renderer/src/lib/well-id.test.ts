// The well box is case-insensitive: a typed id in any case resolves to the catalog's id_code.
import { describe, expect, it } from 'vitest';
import { resolveIdCode } from './well-id';

describe('resolveIdCode', () => {
  const exps = ['HUVEC-01', 'U2OS-03'];
  it('resolves any case and short well names to the id_code', () => {
    expect(resolveIdCode('huvec-01_1_b02', exps)).toBe('HUVEC-01_1_B02');
    expect(resolveIdCode(' U2os-03_4_c7 ', exps)).toBe('U2OS-03_4_C07');
    expect(resolveIdCode('HUVEC-01_1_B02', [])).toBe('HUVEC-01_1_B02');
  });
  it('refuses unknown experiments and malformed ids', () => {
    expect(resolveIdCode('rpe-01_1_b02', exps)).toBeNull();
    expect(resolveIdCode('HUVEC-01_1_Z99', exps)).toBeNull();
    expect(resolveIdCode('HUVEC-01-B02', exps)).toBeNull();
  });
});
