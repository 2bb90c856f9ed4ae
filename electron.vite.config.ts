// electron-vite build of the desktop app into out/: main (the shell + every off-thread entry of
// src-main/core/jobs/entries.ts, each as out/main/<name>.js with all chunks beside them), preload
// (CommonJS, everything bundled: a sandboxed preload cannot load node_modules), and the renderer with
// the same Vite settings `platelab serve` builds it with (src-renderer/vite.config.ts).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { ENTRIES } from './src-main/core/jobs/entries';
import rendererConfig from './src-renderer/vite.config';

const root = dirname(fileURLToPath(import.meta.url));
const here = (p: string) => resolve(root, p);

export default defineConfig({
  main: {
    build: {
      outDir: here('out/main'),
      rollupOptions: {
        input: {
          index: here('src-main/electron/main.ts'),
          ...Object.fromEntries(
            Object.entries(ENTRIES).map(([name, source]) => [
              name,
              here(`src-main/core/${source}`),
            ]),
          ),
        },
        // Chunks beside the entries: entries.ts finds `<name>.js` next to its own chunk.
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: here('out/preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { index: here('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    root: here('src-renderer'),
    build: {
      ...rendererConfig.build,
      outDir: here('out/renderer'),
      rollupOptions: { input: here('src-renderer/index.html') },
    },
  },
});
