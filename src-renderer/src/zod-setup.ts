// Runs before the contract's schemas are built. zod's JIT probes `new Function`, which the page's
// Content-Security-Policy forbids (and reports as a console error), so parsing is jitless; and the
// English messages are set explicitly because the bundler drops zod's side-effect locale setup.
import { z } from 'zod';

z.config({ jitless: true, ...z.locales.en() });
