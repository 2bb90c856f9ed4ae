// The handler table's type: one function per contract call, taking the validated input and
// returning the contract's output. Transports only ever reach the core through this table.
import type { CallArgs, CallName, CallOutput } from '../../../src-shared/contract';

export type Handler<K extends CallName> = (
  args: CallArgs<K>,
) => Promise<CallOutput<K>> | CallOutput<K>;

export type Handlers = { [K in CallName]: Handler<K> };

/** A group of handlers one file provides (the full table is their union). */
export type HandlerGroup<K extends CallName> = { [P in K]: Handler<P> };
