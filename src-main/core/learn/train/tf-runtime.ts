// The learner's one place to get TensorFlow.js ready: backend/selectBackend picks and initialises
// the backend (PLATELAB_BACKEND or an explicit preference wins); `tf` is the live instance.
import { getTf, type Tf } from '../backend/tf';
import { resolvePreference, selectBackend } from '../backend/select-backend';

export interface BackendChoice {
  name: string;
  detail: string;
}

export async function initTf(preference?: string): Promise<{ tf: Tf; backend: BackendChoice }> {
  const sel = await selectBackend(resolvePreference(preference));
  return { tf: getTf(), backend: { name: sel.name, detail: sel.detail } };
}
