// Entry of the pipeline worker thread: registers tsx (the app runs its TypeScript through tsx)
// and loads the real worker. Plain JS because a fresh thread cannot load .ts by itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
