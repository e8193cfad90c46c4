// Builds the app into a folder once, and again only when its inputs change (build-inputs.ts): `npm start` and the
// browser tests' set-up share it. The digest of the inputs it was built from is written beside the build.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'vite'
import { buildInputsDigest } from './build-inputs.js'

/** Written into the build folder after a successful build (a failed or interrupted one leaves none: rebuilt next time). */
export const BUILD_STAMP = '.hypersd-build.json'

interface Stamp {
  readonly inputs: string
}

async function stampOf(outDir: string): Promise<Stamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(join(outDir, BUILD_STAMP), 'utf8')) as Partial<Stamp>
    return typeof stamp.inputs === 'string' ? { inputs: stamp.inputs } : undefined
  } catch {
    return undefined
  }
}

/** True when `outDir` holds a build of the inputs under `root` as they are now. */
export async function isBuildCurrent(root: string, outDir: string): Promise<boolean> {
  const stamp = await stampOf(outDir)
  return stamp !== undefined && stamp.inputs === (await buildInputsDigest(root))
}

export interface EnsureBuiltOptions {
  /** Build even when the folder holds a current build. */
  readonly force?: boolean
  readonly logLevel?: 'info' | 'warn' | 'error' | 'silent'
}

/** Builds the app under `root` into `outDir` unless it holds a current build; says which it did. */
export async function ensureBuilt(root: string, outDir: string, options: EnsureBuiltOptions = {}): Promise<'built' | 'current'> {
  if (!options.force && (await isBuildCurrent(root, outDir))) return 'current'
  // The digest is taken before building, so an edit made during the build makes the next start rebuild.
  const inputs = await buildInputsDigest(root)
  await build({ root, logLevel: options.logLevel ?? 'warn', build: { outDir, emptyOutDir: true } })
  await writeFile(join(outDir, BUILD_STAMP), `${JSON.stringify({ inputs } satisfies Stamp)}\n`)
  return 'built'
}
