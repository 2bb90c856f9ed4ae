// The wire format both transports share: HTTP paths, the WebSocket event message, IPC channel names,
// the preload bridge's typed shape, media URLs, and input validation that names the bad field.
// Plain TypeScript + zod only: imported by main, preload and renderer alike.
import type { z } from 'zod';
import {
  calls,
  events,
  isCallName,
  isEventName,
  type CallArgs,
  type CallInput,
  type CallName,
  type CallOutput,
  type ErrorInfo,
  type EventName,
  type EventPayload,
  type Result,
} from './contract';

// ---------- HTTP + WebSocket (serve mode) ----------
/** `POST /api/call/<name>` with the JSON input as body; the answer is always a Result envelope. */
export const API_CALL_PREFIX = '/api/call/';
/** WebSocket endpoint; each message is one `WireEvent` as JSON. */
export const API_EVENTS_PATH = '/api/events';
/** Query parameter carrying the access token (browsers cannot set headers on WebSocket or <img>). */
export const TOKEN_PARAM = 'token';
/** Largest accepted request body; bigger ones are refused as a validation error. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function callPath(name: CallName): string {
  return API_CALL_PREFIX + name;
}

/** One event as it travels over the WebSocket (and as the IPC shell forwards it). */
export type WireEvent = { [K in EventName]: { event: K; payload: EventPayload<K> } }[EventName];

/** Parses and validates one WebSocket message; null when it is not a known, well-formed event. */
export function parseWireEvent(text: string): WireEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { event, payload } = raw as { event?: unknown; payload?: unknown };
  if (typeof event !== 'string' || !isEventName(event)) return null;
  const parsed = events[event].safeParse(payload);
  return parsed.success ? ({ event, payload: parsed.data } as WireEvent) : null;
}

/**
 * Error codes a Result may carry: the core's (VALIDATION, INVALID_INPUT, NOT_FOUND, CONFLICT,
 * CANCELLED, UNAVAILABLE, INTERNAL) and the transport's (UNAUTHORIZED, FORBIDDEN).
 */
export const ERROR_CODES = [
  'VALIDATION',
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'CANCELLED',
  'UNAVAILABLE',
  'INTERNAL',
  'UNAUTHORIZED',
  'FORBIDDEN',
] as const;

/** HTTP status for an error code; the body is the envelope either way. */
export function httpStatusFor(code: string): number {
  switch (code) {
    case 'VALIDATION':
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'UNAVAILABLE':
      return 503;
    default:
      return 500;
  }
}

// ---------- media ----------
/** The folders media may come from; anything else is refused by both transports. */
export const MEDIA_ROOTS = ['cache', 'dataset', 'exports'] as const;
export type MediaRoot = (typeof MEDIA_ROOTS)[number];
/** Electron's custom protocol: `platelab-media://<root>/<relative path>`. */
export const MEDIA_SCHEME = 'platelab-media';
/** Serve mode: `GET /media/<root>/<relative path>`. */
export const MEDIA_HTTP_PREFIX = '/media/';

/** URL path segment for a relative file path (each segment encoded, always `/` separated). */
export function encodeRelPath(rel: string): string {
  return rel
    .split(/[\\/]+/)
    .filter(Boolean)
    .map((s) => encodeURIComponent(s))
    .join('/');
}

// ---------- Electron IPC ----------
/** Channel names show direction: `renderer:` for calls into main, `main:` for events out of it. */
export function ipcCallChannel(name: CallName): string {
  return `renderer:call:${name}`;
}
export function ipcEventChannel(name: EventName): string {
  return `main:event:${name}`;
}
/** The key under which the preload exposes the bridge: `window.platelab`. */
export const BRIDGE_KEY = 'platelab';

/** What `window.platelab` is in the desktop app: one typed function per call, one subscription per event. */
export interface PlateLabBridge {
  calls: { [K in CallName]: (input: CallInput<K>) => Promise<Result<CallOutput<K>>> };
  events: { [K in EventName]: (listener: (payload: EventPayload<K>) => void) => () => void };
}

// ---------- validation ----------
/** One problem with an input, as sent in `error.details`. */
export interface InputIssue {
  path: string;
  message: string;
  code: string;
}

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.length ? path.map((p) => String(p)).join('.') : '(input)';
}

export function toIssues(issues: ReadonlyArray<z.core.$ZodIssue>): InputIssue[] {
  return issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys : undefined;
    const path = keys?.length ? [...i.path, ...keys] : i.path;
    return { path: issuePath(path), message: i.message, code: i.code };
  });
}

/** The VALIDATION error for a call; the message names the first bad field. */
export function validationError(what: string, issues: InputIssue[]): ErrorInfo {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const message = first
    ? `${what}: ${first.path}: ${first.message}${more}`
    : `${what}: invalid input`;
  return { code: 'VALIDATION', message, details: issues };
}

/** Keys that could swap or reach an object's prototype; refused anywhere in an input. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

/** The path of the first forbidden key (or of nesting deeper than 32 levels) in a value, else null. */
export function findForbiddenKey(value: unknown, path: string[] = []): string[] | null {
  if (typeof value !== 'object' || value === null) return null;
  if (path.length >= MAX_DEPTH) return path;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return [...path, key];
    const found = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key]);
    if (found) return found;
  }
  return null;
}

/** Validates a call's raw input against the contract (the same check in main and in the server). */
export function validateCallInput(
  name: string,
  raw: unknown,
): { ok: true; name: CallName; args: CallArgs<CallName> } | { ok: false; error: ErrorInfo } {
  if (!isCallName(name)) {
    return {
      ok: false,
      error: {
        code: 'NOT_FOUND',
        message: `no such call "${name.slice(0, 100)}"`,
        details: { call: name.slice(0, 100) },
      },
    };
  }
  const forbidden = findForbiddenKey(raw);
  if (forbidden) {
    const at = forbidden.join('.') || '(input)';
    const last = forbidden.at(-1) ?? '';
    const message = FORBIDDEN_KEYS.has(last)
      ? `key "${last}" is not allowed`
      : `nested deeper than ${MAX_DEPTH} levels`;
    return {
      ok: false,
      error: validationError(`invalid input for ${name}`, [
        { path: at, message, code: 'forbidden_key' },
      ]),
    };
  }
  const parsed = calls[name].input.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      error: validationError(`invalid input for ${name}`, toIssues(parsed.error.issues)),
    };
  return { ok: true, name, args: parsed.data as CallArgs<CallName> };
}
