import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard's front end: Preact through the automatic JSX runtime, built into dist/web (served by `shoal
// dashboard`). Nothing is fetched at run time: every module and style is bundled.
// biome-ignore lint/style/noDefaultExport: Vite reads its config from the default export
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
});
