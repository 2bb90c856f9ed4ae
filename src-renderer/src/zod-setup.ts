// Runs before the contract's schemas are built: zod's JIT probes `new Function`, which the page's
// Content-Security-Policy forbids (and reports as a console error); jitless parsing avoids it.
import { z } from 'zod';

z.config({ jitless: true });
