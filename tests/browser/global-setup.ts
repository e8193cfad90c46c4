// Builds the app once for the whole browser suite, self-contained, through npm start's build check (skipped when
// the build in dist/ is of the current sources; HYPERSD_BROWSER_DIST=<folder> uses another build as it is).
import { resolve } from 'node:path'
import { ensureBuilt } from '../../scripts/app/build.js'

export default async function setup(): Promise<void> {
  if (process.env['HYPERSD_BROWSER_DIST']) return
  const root = resolve(import.meta.dirname, '../..')
  const outDir = resolve(root, 'dist')
  await ensureBuilt(root, outDir)
  process.env['HYPERSD_BROWSER_DIST'] = outDir
}
