// A tiny notification store (no extra package): readable messages for errors and finished jobs,
// rendered by <Notifications/>; never stack traces.
import { useSyncExternalStore } from 'react';

export interface Note {
  id: number;
  color: 'red' | 'green' | 'blue' | 'yellow';
  title: string;
  message: string;
  /** A button on the card (e.g. Undo); pressing it runs `run` and closes the card. */
  action?: { label: string; run: () => void; testId?: string };
}

let notes: Note[] = [];
let nextId = 1;
const subs = new Set<() => void>();

function emit(): void {
  for (const s of subs) s();
}

export function notify(note: Omit<Note, 'id'>, timeoutMs = 6000): void {
  const id = nextId++;
  notes = [...notes.slice(-4), { ...note, id }];
  emit();
  if (timeoutMs > 0) setTimeout(() => dismiss(id), timeoutMs);
}

export function dismiss(id: number): void {
  notes = notes.filter((n) => n.id !== id);
  emit();
}

export function useNotes(): Note[] {
  return useSyncExternalStore(
    (cb) => {
      subs.add(cb);
      return () => subs.delete(cb);
    },
    () => notes,
  );
}
