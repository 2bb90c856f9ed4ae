// The one entry from a transport into the core: validate the raw input with the contract, run the
// handler, check its output against the contract, and always answer with a Result envelope.
import {
  calls,
  type CallInput,
  type CallName,
  type CallOutput,
  type Result,
} from '../../../src-shared/contract';
import { toIssues, validateCallInput } from '../../../src-shared/wire';
import { toErrorInfo } from '../jobs/job-manager';
import type { Handlers } from './handler-types';

type UntypedHandler = (args: unknown) => unknown;

/** Runs a call by name with untrusted input (from HTTP or IPC). Never throws. */
export async function dispatch(
  handlers: Handlers,
  name: string,
  raw: unknown,
): Promise<Result<unknown>> {
  const checked = validateCallInput(name, raw);
  if (!checked.ok) return checked;
  let out: unknown;
  try {
    // The table is indexed by a name only known at run time; its input was validated just above.
    out = await (handlers[checked.name] as UntypedHandler)(checked.args);
  } catch (err) {
    const error = toErrorInfo(err);
    if (error.code === 'INTERNAL') console.error(`${checked.name} failed:`, err);
    return { ok: false, error };
  }
  const parsed = calls[checked.name].output.safeParse(out);
  if (!parsed.success) {
    const issues = toIssues(parsed.error.issues);
    console.error(`${checked.name} returned data outside the contract:`, issues.slice(0, 5));
    return {
      ok: false,
      error: {
        code: 'INTERNAL',
        message: `${checked.name} returned data that does not match the contract (${issues[0]?.path}: ${issues[0]?.message})`,
        details: issues.slice(0, 20),
      },
    };
  }
  return { ok: true, data: parsed.data };
}

/** Typed in-process call (tests, the CLI): same path as the transports, typed result. */
export async function invoke<K extends CallName>(
  handlers: Handlers,
  name: K,
  input: CallInput<K>,
): Promise<Result<CallOutput<K>>> {
  return (await dispatch(handlers, name, input)) as Result<CallOutput<K>>;
}
