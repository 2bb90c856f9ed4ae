// Yields one macrotask turn so IPC messages (cancel) and timers run between training steps.
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
