// Only the cold first image of npm run bench:ui (bench/cold-start.ts), for quick before/after checks:
// HYPERSD_BENCH_DIST=<dist> [HYPERSD_BENCH_COLD_BEFORE=<dist>] [HYPERSD_BENCH_COLD_ROUNDS=n] [HYPERSD_BENCH_COLD_RETURNING=1] npm run bench:cold
// (returning: also a second visit in the same profile, caches filled by a first one). Running servers instead of
// build folders: HYPERSD_BENCH_URL=<url> [HYPERSD_BENCH_COLD_BEFORE_URL=<url>], e.g. `npm start` against
// `npm run dev -- --port 5174`.
import { serveApp } from '../scripts/app/serve.js'
import { coldStartTargets, launchBenchBrowser } from './bench-browser.js'
import { coldStartBreakdown } from './cold-start.js'

const env = (name: string): string | undefined => process.env[name] || undefined
const dist = env('HYPERSD_BENCH_DIST')
const givenUrl = env('HYPERSD_BENCH_URL')
if (!dist && !givenUrl) throw new Error('set HYPERSD_BENCH_DIST to a built dist folder (npx vite build --outDir DIR), or HYPERSD_BENCH_URL to a running server')
const server = dist ? await serveApp({ root: dist, host: '127.0.0.1', port: 0 }) : undefined
const beforeDist = env('HYPERSD_BENCH_COLD_BEFORE')
const before = beforeDist ? await serveApp({ root: beforeDist, host: '127.0.0.1', port: 0 }) : undefined
const url = server?.url ?? givenUrl!
const beforeUrl = before?.url ?? env('HYPERSD_BENCH_COLD_BEFORE_URL')
const browser = await launchBenchBrowser()
try {
  const lines = await coldStartBreakdown(browser, coldStartTargets(url, beforeUrl, env('HYPERSD_BENCH_COLD_RETURNING') === '1'), Number(env('HYPERSD_BENCH_COLD_ROUNDS') ?? 5))
  console.log(lines.join('\n'))
} finally {
  await browser.close()
  await server?.close()
  await before?.close()
}
