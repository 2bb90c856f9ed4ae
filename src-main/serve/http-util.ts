// Small HTTP helpers of serve mode: JSON envelopes with security headers, and bounded body reading.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorInfo } from '../../src-shared/contract';
import { httpStatusFor, MAX_BODY_BYTES } from '../../src-shared/wire';

export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  error: ErrorInfo,
  status = httpStatusFor(error.code),
): void {
  sendJson(res, status, { ok: false, error });
}

export class BodyTooLarge extends Error {}

/** Reads the whole body, refusing more than `limit` bytes (the rest is not buffered). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge(`request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}
