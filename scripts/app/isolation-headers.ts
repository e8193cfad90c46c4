// COOP/COEP make the page cross-origin isolated, which multi-threaded WASM (SharedArrayBuffer) needs. Sent by Vite's
// dev server (vite.config.ts) and by the server `npm start` runs (serve.ts).
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}
