// ApiClient over Electron IPC: forwards each call to its own preload function on window.platelab
// and each subscription to its own event function; a missing function is reported, not thrown.
import type {
  ApiClient,
  CallInput,
  CallName,
  CallOutput,
  EventName,
  EventPayload,
  Result,
} from '../../../src-shared/contract';
import type { PlatelabBridge } from './bridge-types';

export function createIpcClient(bridge: PlatelabBridge): ApiClient {
  const call = async <K extends CallName>(
    name: K,
    input: CallInput<K>,
  ): Promise<Result<CallOutput<K>>> => {
    const fn = bridge.calls?.[name] as
      | ((i: CallInput<K>) => Promise<Result<CallOutput<K>>>)
      | undefined;
    if (typeof fn !== 'function') {
      return {
        ok: false,
        error: { code: 'NO_SUCH_CALL', message: `The desktop bridge has no call "${name}".` },
      };
    }
    try {
      return await fn(input);
    } catch (err) {
      return {
        ok: false,
        error: { code: 'IPC_ERROR', message: err instanceof Error ? err.message : String(err) },
      };
    }
  };
  const on = <K extends EventName>(
    name: K,
    listener: (payload: EventPayload<K>) => void,
  ): (() => void) => {
    const subscribe = bridge.events?.[name] as
      | ((l: (payload: EventPayload<K>) => void) => () => void)
      | undefined;
    if (typeof subscribe !== 'function') return () => undefined;
    return subscribe(listener);
  };
  return { call, on };
}
