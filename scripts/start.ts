// `npm start`: the editor, served from a production build on http://127.0.0.1:5173 (cross-origin isolated) by
// scripts/app/serve.ts. The app is built into dist/ the first time (about 20 s on 2 cores) and
// again only after its sources, graphs or dependencies change (scripts/app/build.ts; dist/models links to
// public/models, so models are served where they are). A built app gets to
// its first image much sooner than Vite's dev server, which serves hundreds of unbundled modules: `npm run dev` is
// that server, for working on the code.
//
//   npm start [-- --port N] [--host H] [--out-dir DIR] [--rebuild]
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureBuilt } from './app/build.js'
import { serveApp } from './app/serve.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5173' },
    host: { type: 'string', default: '127.0.0.1' },
    'out-dir': { type: 'string', default: 'dist' },
    rebuild: { type: 'boolean', default: false },
  },
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`npm start: --port must be a whole number from 0 to 65535, not "${values.port}"`)
  process.exit(2)
}
const root = resolve(import.meta.dirname, '..')
const outDir = resolve(root, values['out-dir'])

const started = performance.now()
console.log(`Checking the app's build in ${outDir} ...`)
const outcome = await ensureBuilt(root, outDir, { force: values.rebuild, logLevel: 'error', liveModels: true }).catch((error: unknown) => {
  // Nothing marks the folder current for these sources, so the next start builds again.
  console.error(`npm start: the app's build failed, so nothing is served:\n${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
console.log(outcome === 'built' ? `Built the app in ${((performance.now() - started) / 1000).toFixed(1)} s.` : 'The build is up to date.')

// port 0 asks the system for a free port (the tests do); otherwise the next free one from `port`, as Vite's dev server.
const { url } = await serveApp({ root: outDir, host: values.host, port, nextFreePort: true }).catch((error: unknown) => {
  console.error(`npm start: cannot serve on ${values.host}:${port}: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
console.log(`Hyper-SD Studio: ${url}  (Ctrl+C stops it; npm run dev serves the sources with hot reload instead)`)
