import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The agent inbox, built to dist/web and served by the service itself (src/http/webApp.ts).
// Everything is bundled: no CDN, no remote fonts, no inline script (the page's CSP forbids it).
const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: path.resolve(here, '../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Vite inlines small assets as data: URLs; the CSP allows data: only for images, so keep
    // everything a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
});
