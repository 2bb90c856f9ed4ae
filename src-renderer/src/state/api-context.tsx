// React access to the ApiClient: `useApi()` for the transport, `call()` that reports errors as
// notifications, `useCall()` to load data, and `useEvent()` to subscribe to server events.
import { createContext, useCallback, useContext, useEffect, useEffectEvent, useState } from 'react';
import type { ReactNode } from 'react';
import type {
  CallInput,
  CallName,
  CallOutput,
  ErrorInfo,
  EventName,
  EventPayload,
  Result,
} from '../../../src-shared/contract';
import type { Transport } from '../api/pick-client';
import { notify } from './notify';

const ApiContext = createContext<Transport | null>(null);

export function ApiProvider({
  transport,
  children,
}: {
  transport: Transport;
  children: ReactNode;
}) {
  return <ApiContext.Provider value={transport}>{children}</ApiContext.Provider>;
}

export function useApi(): Transport {
  const t = useContext(ApiContext);
  if (!t) throw new Error('useApi outside ApiProvider');
  return t;
}

export function describeError(error: ErrorInfo): string {
  return error.message || error.code;
}

/** Returns a caller that resolves to the data, or null after showing the error as a notification. */
export function useCaller() {
  const { client } = useApi();
  return useCallback(
    async <K extends CallName>(
      name: K,
      input: CallInput<K>,
      quiet = false,
    ): Promise<CallOutput<K> | null> => {
      const res: Result<CallOutput<K>> = await client.call(name, input);
      if (res.ok) return res.data;
      if (!quiet)
        notify({ color: 'red', title: `${name} failed`, message: describeError(res.error) });
      return null;
    },
    [client],
  );
}

export interface Loaded<T> {
  data: T | null;
  error: ErrorInfo | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads a call's result whenever `key` changes (key = a string of what the input depends on);
 * `enabled=false` skips the call. Stale answers from older keys are dropped.
 */
export function useCall<K extends CallName>(
  name: K,
  input: CallInput<K>,
  key: string,
  enabled = true,
): Loaded<CallOutput<K>> {
  const { client } = useApi();
  const [state, setState] = useState<{
    data: CallOutput<K> | null;
    error: ErrorInfo | null;
    key: string | null;
  }>({ data: null, error: null, key: null });
  const [tick, setTick] = useState(0);
  const fullKey = `${key}#${tick}`;
  // The input is read when the key changes; the key says which parts of the input matter.
  const currentInput = useEffectEvent(() => input);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void client.call(name, currentInput()).then((res) => {
      if (!live) return;
      if (res.ok) setState({ data: res.data, error: null, key: fullKey });
      else setState({ data: null, error: res.error, key: fullKey });
    });
    return () => {
      live = false;
    };
  }, [client, name, fullKey, enabled]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // Older data stays visible while a new key loads, so images do not flicker.
  return {
    data: state.data,
    error: state.error,
    loading: enabled && state.key !== fullKey,
    reload,
  };
}

export function useEvent<K extends EventName>(
  name: K,
  listener: (payload: EventPayload<K>) => void,
) {
  const { client } = useApi();
  const onEvent = useEffectEvent(listener);
  useEffect(() => client.on(name, (p) => onEvent(p)), [client, name]);
}
