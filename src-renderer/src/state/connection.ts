// Whether the serve-mode event socket is connected (always true over IPC), for the header badge, and
// how many times it has opened: events sent before an open are missed, so state loaded from calls is
// reloaded at each open (the jobs list, everything that reads the catalog).
import { useSyncExternalStore } from 'react';

let connected = true;
let opens = 0;
const subs = new Set<() => void>();

/** Called by the transport when its event stream opens (true) or closes (false). */
export function setConnected(value: boolean): void {
  connected = value;
  if (value) opens += 1;
  for (const s of subs) s();
}

function subscribe(cb: () => void): () => void {
  subs.add(cb);
  return () => subs.delete(cb);
}

export function useConnected(): boolean {
  return useSyncExternalStore(subscribe, () => connected);
}

/**
 * How many times the event stream has opened (0 over IPC, where it never closes). Use it as an
 * effect dependency to reload what events keep current: any event sent while it was closed, or
 * before it first opened, was missed.
 */
export function useEventStreamOpens(): number {
  return useSyncExternalStore(subscribe, () => opens);
}
