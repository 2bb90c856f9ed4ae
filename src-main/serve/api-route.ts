// POST /api/call/<name>: the JSON body is the call's input; it is validated against the contract
// before anything reaches the core, and the answer is always a Result envelope.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_CALL_PREFIX, httpStatusFor, MAX_BODY_BYTES } from '../../src-shared/wire';
import { dispatch } from '../core/api/dispatch';
import type { Handlers } from '../core/api/handler-types';
import { BodyTooLarge, readBody, sendError, sendJson } from './http-util';

function decodeName(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname.slice(API_CALL_PREFIX.length));
  } catch {
    return null;
  }
}

export async function handleApiCall(
  handlers: Handlers,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method !== 'POST') {
    sendError(res, { code: 'VALIDATION', message: `use POST for ${url.pathname}` }, 405);
    return;
  }
  const name = decodeName(url.pathname);
  if (name === null) {
    sendError(res, { code: 'VALIDATION', message: 'call name is not valid URL encoding' });
    return;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      req.resume();
      sendError(
        res,
        { code: 'VALIDATION', message: `request body is larger than ${MAX_BODY_BYTES} bytes` },
        413,
      );
      return;
    }
    throw err;
  }
  // application/json is required: cross-site pages cannot send it without a CORS preflight we never grant.
  if (type !== 'application/json') {
    sendError(
      res,
      { code: 'VALIDATION', message: 'send the input as JSON with content-type: application/json' },
      415,
    );
    return;
  }
  let input: unknown = {};
  const text = body.toString('utf8');
  if (text.trim() !== '') {
    try {
      // JSON.parse makes `__proto__` an own key (never a prototype swap); validation then refuses it.
      input = JSON.parse(text) as unknown;
    } catch (err) {
      sendError(res, {
        code: 'VALIDATION',
        message: `request body is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      });
      return;
    }
  }
  const result = await dispatch(handlers, name, input);
  sendJson(res, result.ok ? 200 : httpStatusFor(result.error.code), result);
}
