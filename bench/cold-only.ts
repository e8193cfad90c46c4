// Only the cold first image of npm run bench:ui (bench/cold-start.ts), for quick before/after checks:
// HYPERSD_BENCH_DIST=<dist> [HYPERSD_BENCH_COLD_BEFORE=<dist>] [HYPERSD_BENCH_COLD_ROUNDS=n] [HYPERSD_BENCH_COLD_RETURNING=1] npm run bench:cold
// (returning: also a second visit in the same profile, caches filled by a first one)
import { serveStatic } from '../tests/browser/static-server.js'
import { coldStartTargets, launchBenchBrowser } from './bench-browser.js'
import { coldStartBreakdown } from './cold-start.js'

const dist = process.env['HYPERSD_BENCH_DIST']
if (!dist) throw new Error('set HYPERSD_BENCH_DIST to a built dist folder (npx vite build --outDir DIR)')
const server = await serveStatic(dist)
const beforeDist = process.env['HYPERSD_BENCH_COLD_BEFORE']
const before = beforeDist ? await serveStatic(beforeDist) : undefined
const browser = await launchBenchBrowser()
try {
  const lines = await coldStartBreakdown(browser, coldStartTargets(server.url, before?.url, process.env['HYPERSD_BENCH_COLD_RETURNING'] === '1'), Number(process.env['HYPERSD_BENCH_COLD_ROUNDS'] ?? 5))
  console.log(lines.join('\n'))
} finally {
  await browser.close()
  await server.close()
  await before?.close()
}
