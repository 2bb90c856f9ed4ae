// Serve-mode access rules and routes: the token beyond loopback (401 without it, Bearer / ?token= /
// cookie accepted, WebSocket included), Host/Origin checks on loopback, media confined to its folders,
// the SPA fallback, and shutdown.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Result } from '../../src-shared/contract';
import { isLoopbackHost, newToken } from './auth';
import { startServer, type RunningServer } from './server';
import { makeTestApp, postRaw, type TestApp } from '../../test-support/app/test-app';

let app: TestApp;
let staticDir: string;

beforeAll(async () => {
  app = await makeTestApp();
  staticDir = path.join(app.dir, 'static');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(
    path.join(staticDir, 'index.html'),
    '<!doctype html><title>PlateLab test</title>',
  );
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
});

afterAll(async () => {
  await app?.cleanup();
});

function wsOpen(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.once('unexpected-response', (_req, res) =>
      resolve({ opened: false, status: res.statusCode }),
    );
    ws.once('error', () => resolve({ opened: false }));
  });
}

/** Raw GET with a chosen Host header (fetch does not let tests forge it). */
function getWithHost(
  port: number,
  pathname: string,
  host: string,
  extra: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: pathname, method: 'GET', headers: { host, ...extra } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('token required beyond loopback', () => {
  let server: RunningServer;
  let base: string;
  const token = newToken();

  beforeAll(async () => {
    server = await startServer({
      ctx: app.ctx,
      handlers: app.handlers,
      host: '0.0.0.0',
      port: 0,
      token,
      staticDir,
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => server?.close());

  it('puts the token in the URL to open and refuses a non-loopback bind without one', async () => {
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(server.url).toBe(`http://0.0.0.0:${server.port}/?token=${token}`);
    await expect(
      startServer({ ctx: app.ctx, handlers: app.handlers, host: '0.0.0.0', port: 0, staticDir }),
    ).rejects.toThrow(/token/);
  });

  it('answers 401 to calls, pages, media and the WebSocket without the token', async () => {
    const call = await postRaw(base, 'app.info', '{}');
    expect(call.status).toBe(401);
    expect((call.json as Result<unknown>).ok).toBe(false);
    expect(
      (
        await postRaw(base, 'app.info', '{}', {
          'content-type': 'application/json',
          authorization: 'Bearer wrong',
        })
      ).status,
    ).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/media/cache/x.png`)).status).toBe(401);
    expect(await wsOpen(`ws://127.0.0.1:${server.port}/api/events`)).toEqual({
      opened: false,
      status: 401,
    });
  });

  it('accepts the token as Bearer header, ?token= (which sets a cookie) and that cookie', async () => {
    const bearer = await postRaw(base, 'app.info', '{}', {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    });
    expect(bearer.status).toBe(200);
    expect(
      (
        await fetch(`${base}/api/call/app.info?token=${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(200);
    const page = await fetch(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    const asset = await fetch(`${base}/assets/app.js`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(asset.status).toBe(200);
    expect(await wsOpen(`ws://127.0.0.1:${server.port}/api/events?token=${token}`)).toEqual({
      opened: true,
    });
  });
});

describe('loopback server', () => {
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    server = await startServer({ ctx: app.ctx, handlers: app.handlers, port: 0, staticDir });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => server?.close());

  it('needs no token on loopback but refuses foreign Host and Origin headers', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.token).toBeNull();
    expect(await getWithHost(server.port, '/', `127.0.0.1:${server.port}`)).toBe(200);
    expect(await getWithHost(server.port, '/', `localhost:${server.port}`)).toBe(200);
    expect(await getWithHost(server.port, '/', `evil.example:${server.port}`)).toBe(403);
    const crossSite = await postRaw(base, 'app.info', '{}', {
      'content-type': 'application/json',
      origin: 'http://evil.example',
    });
    expect(crossSite.status).toBe(403);
    // The UI's dev server (another loopback origin, through a proxy) is let through.
    const devServer = await postRaw(base, 'app.info', '{}', {
      'content-type': 'application/json',
      origin: 'http://localhost:5173',
    });
    expect(devServer.status).toBe(200);
    expect(await getWithHost(server.port, '/', 'localhost:5173')).toBe(200);
    expect(await getWithHost(server.port, '/', '127.0.0.1.evil.example')).toBe(403);
    expect(
      await wsOpen(`ws://127.0.0.1:${server.port}/api/events`, { origin: 'http://evil.example' }),
    ).toEqual({ opened: false, status: 403 });
    expect(await wsOpen(`ws://127.0.0.1:${server.port}/api/events`)).toEqual({ opened: true });
  });

  it('serves the UI with a CSP and falls back to index.html for client routes', async () => {
    const page = await fetch(`${base}/plates/HUVEC-01`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('PlateLab test');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/api/nothing`)).status).toBe(404);
  });

  it('serves media only from inside the cache, dataset and exports folders', async () => {
    const ds = app.ctx.dataset!;
    const firstPlate = fs.readdirSync(path.join(ds.root, 'train')).sort()[0]!;
    const plateDir = path.join('train', firstPlate, 'Plate1');
    const png = fs.readdirSync(path.join(ds.root, plateDir)).find((f) => f.endsWith('.png'))!;
    const ok = await fetch(`${base}/media/dataset/${plateDir}/${png}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');

    // A secret next to the data folder, and a symlink inside the cache pointing at it.
    fs.writeFileSync(path.join(app.dir, 'secret.png'), 'secret');
    fs.symlinkSync(path.join(app.dir, 'secret.png'), path.join(app.ctx.layout.cache, 'link.png'));
    const attempts = [
      '/media/cache/../settings.json',
      '/media/cache/%2e%2e/settings.json',
      '/media/cache/..%2fsettings.json',
      '/media/cache/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/media/dataset/..%5c..%5csettings.json',
      '/media/cache/link.png',
      '/media/cache//etc/passwd',
      `/media/cache/${encodeURIComponent(path.join(app.dir, 'secret.png'))}`,
      '/media/runs/anything',
      '/media/__proto__/x',
      '/media/cache/a%00b',
      '/media/cache/%E0%A4%A',
    ];
    for (const a of attempts) {
      const r = await fetch(base + a);
      expect(r.status, a).toBe(404);
      expect(await r.text(), a).not.toContain('secret');
    }
  });

  it('stops cleanly: open sockets are closed and the port is released', async () => {
    const s = await startServer({ ctx: app.ctx, handlers: app.handlers, port: 0, staticDir });
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api/events`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await s.close();
    expect(await closed).toBe(1001);
    await expect(fetch(`http://127.0.0.1:${s.port}/`)).rejects.toThrow();
  });
});
