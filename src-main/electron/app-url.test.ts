// Which URLs count as the app's own page (navigation lock and IPC sender check).
import { describe, expect, it } from 'vitest';
import { isAppUrl } from './app-url';

describe('isAppUrl', () => {
  const file = 'file:///opt/platelab/out/renderer/index.html';
  it('accepts the built page with any hash or query, and the dev server origin', () => {
    expect(isAppUrl(file, file)).toBe(true);
    expect(isAppUrl(`${file}#/plates`, file)).toBe(true);
    expect(isAppUrl(`${file}?x=1`, file)).toBe(true);
    expect(isAppUrl('http://localhost:5173/plates', 'http://localhost:5173/')).toBe(true);
  });
  it('refuses other files, other origins, other schemes and garbage', () => {
    expect(isAppUrl('file:///etc/passwd', file)).toBe(false);
    expect(isAppUrl('file:///opt/platelab/out/renderer/other.html', file)).toBe(false);
    expect(isAppUrl('https://evil.example/', file)).toBe(false);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('http://evil.example:5173/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('javascript:alert(1)', file)).toBe(false);
    expect(isAppUrl('not a url', file)).toBe(false);
  });
});
