// Builds the app once for the whole browser suite (skip with HYPERSD_BROWSER_DIST=<existing dist folder>).
import { resolve } from 'node:path'
import { build } from 'vite'

export default async function setup(): Promise<void> {
  if (process.env['HYPERSD_BROWSER_DIST']) return
  const root = resolve(import.meta.dirname, '../..')
  const outDir = resolve(root, 'dist')
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  process.env['HYPERSD_BROWSER_DIST'] = outDir
}
