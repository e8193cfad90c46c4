// What the built app (dist/) is made from, and a digest of it, so `npm start` rebuilds only after a change. The
// digest covers every file's path, size and modification time under the inputs below: the app's sources, the graphs
// and files it bundles, the public folder it copies, and the installed dependencies (npm writes
// node_modules/.package-lock.json on every install).
import { createHash } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'

/** Relative to the project root; a folder counts with everything under it. */
export const BUILD_INPUTS = [
  'index.html',
  'vite.config.ts',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'src',
  'nodes',
  'graphs',
  'public',
  'training/scenes.json',
  'scripts/app',
] as const

async function collect(root: string, path: string, into: string[], skip: ReadonlySet<string>): Promise<void> {
  if (skip.has(relative(root, path))) return
  const info = await stat(path).catch(() => undefined)
  if (!info) {
    into.push(`${relative(root, path)}\tmissing`)
    return
  }
  if (!info.isDirectory()) {
    into.push(`${relative(root, path)}\t${info.size}\t${info.mtimeMs}`)
    return
  }
  const entries = (await readdir(path)).sort()
  for (const entry of entries) await collect(root, join(path, entry), into, skip)
}

/**
 * A hex digest of the build inputs under `root` (sizes and modification times, not contents: fast on 100 MB of
 * models), leaving out the relative paths in `skip` (e.g. models a build serves from where they are).
 */
export async function buildInputsDigest(root: string, skip: readonly string[] = [], inputs: readonly string[] = BUILD_INPUTS): Promise<string> {
  const lines: string[] = []
  const skipped = new Set(skip.map((path) => join(path)))
  for (const input of inputs) await collect(root, join(root, input), lines, skipped)
  return createHash('sha256').update(lines.join('\n')).digest('hex')
}
