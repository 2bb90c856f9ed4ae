// Whether the serve-mode event socket is connected (always true over IPC), for the header badge.
import { useSyncExternalStore } from 'react';

let connected = true;
const subs = new Set<() => void>();

export function setConnected(value: boolean): void {
  connected = value;
  for (const s of subs) s();
}

export function useConnected(): boolean {
  return useSyncExternalStore(
    (cb) => {
      subs.add(cb);
      return () => subs.delete(cb);
    },
    () => connected,
  );
}
