import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The API the dev server forwards `/api` to (`pnpm start` in another terminal). */
const api = process.env.ATRIUM_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, proxy: { '/api': { target: api, changeOrigin: false } } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
});
