// Typed in-process event bus for the contract's events (job:update, catalog:changed, training:metrics);
// each transport subscribes once and forwards events to its clients.
import type { EventName, EventPayload } from '../../../src-shared/contract';

export type AnyEvent = { [K in EventName]: { event: K; payload: EventPayload<K> } }[EventName];
export type EventListener = (e: AnyEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<K extends EventName>(event: K, payload: EventPayload<K>): void {
    const message = { event, payload } as AnyEvent;
    for (const l of [...this.listeners]) {
      try {
        l(message);
      } catch (err) {
        // A broken subscriber (a closed socket, a destroyed window) must not stop the others.
        console.error(`event listener failed on ${event}:`, err);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
