import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { modelFilesUncompressed } from './scripts/app/model-files-uncompressed.js'
import { preloadAppChunk } from './scripts/app/preload-app-chunk.js'
import { ISOLATION_HEADERS } from './scripts/app/isolation-headers.js'


export default defineConfig({
  plugins: [vue(), modelFilesUncompressed(), preloadAppChunk()],
  server: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  preview: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default on 2 cores is one worker. Two overlap one file's I/O and waits with another's compute:
    // 876 s for the whole run on 2026-12-06 against 1016 s with one (the browser files still run one at a time).
    maxWorkers: 2,
    reporters: ['default', './tests/reporters/summary-line.ts'],
    // Two suites, one `vitest run`: unit tests, and the browser tests that build the app once (globalSetup),
    // serve it and drive Debian's Chromium one file at a time. `--project unit` / `--project browser` pick one.
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: ['tests/browser/**'] } },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/browser/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
        },
      },
    ],
  },
})
