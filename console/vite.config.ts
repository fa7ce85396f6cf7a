import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built by scripts/build.mjs into dist/console, which the service serves at /console (src/common/http/console-static.ts).
// `npm run dev -w console` serves it with hot reload and sends API calls to a service on port 3000.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  server: { proxy: { '/v1': 'http://localhost:3000' } },
  build: { chunkSizeWarningLimit: 4000, reportCompressedSize: false },
});
