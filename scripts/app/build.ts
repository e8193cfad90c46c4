// Builds the app into a folder once, and again only when its inputs change (build-inputs.ts): `npm start`, the
// browser tests' set-up and the UI benches share it. The digest of the inputs it was built from is written beside
// the build.
//
// Two forms: a self-contained build (public/ copied in, as `vite build` makes it; the tests and benches serve it
// with their own static server), and `liveModels`, for `npm start`, where dist/models is a link to public/models:
// models pulled there (`hypersd models pull` writes to public/models by default, gigabytes for a real SD1.5) are
// served as they are, never copied into the build, and adding one needs no rebuild.
import { cp, readFile, readdir, symlink, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { build } from 'vite'
import { buildInputsDigest } from './build-inputs.js'

/** Written into the build folder after a successful build (a failed or interrupted one leaves none: rebuilt next time). */
export const BUILD_STAMP = '.hypersd-build.json'
const MODELS = join('public', 'models')

interface Stamp {
  readonly inputs: string
  readonly liveModels: boolean
}

export interface BuildForm {
  /** dist/models links to public/models instead of holding a copy. */
  readonly liveModels?: boolean
}

async function stampOf(outDir: string): Promise<Stamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(join(outDir, BUILD_STAMP), 'utf8')) as Partial<Stamp>
    return typeof stamp.inputs === 'string' ? { inputs: stamp.inputs, liveModels: stamp.liveModels === true } : undefined
  } catch {
    return undefined
  }
}

const digestFor = (root: string, form: BuildForm): Promise<string> => buildInputsDigest(root, form.liveModels ? [MODELS] : [])

/** True when `outDir` holds a build of this form of the inputs under `root` as they are now. */
export async function isBuildCurrent(root: string, outDir: string, form: BuildForm = {}): Promise<boolean> {
  const stamp = await stampOf(outDir)
  return stamp !== undefined && stamp.liveModels === (form.liveModels === true) && stamp.inputs === (await digestFor(root, form))
}

export interface EnsureBuiltOptions extends BuildForm {
  /** Build even when the folder holds a current build. */
  readonly force?: boolean
  readonly logLevel?: 'info' | 'warn' | 'error' | 'silent'
}

/** public/ without its models (copied by hand when the build links them), then the link to them. */
async function linkModels(root: string, outDir: string): Promise<void> {
  for (const entry of await readdir(join(root, 'public'))) {
    if (entry !== 'models') await cp(join(root, 'public', entry), join(outDir, entry), { recursive: true })
  }
  await symlink(relative(outDir, join(root, MODELS)), join(outDir, 'models'), 'dir')
}

/** Builds the app under `root` into `outDir` unless it holds a current build of that form; says which it did. */
export async function ensureBuilt(root: string, outDir: string, options: EnsureBuiltOptions = {}): Promise<'built' | 'current'> {
  if (!options.force && (await isBuildCurrent(root, outDir, options))) return 'current'
  // The digest is taken before building, so an edit made during the build makes the next start rebuild.
  const inputs = await digestFor(root, options)
  const liveModels = options.liveModels === true
  await build({ root, logLevel: options.logLevel ?? 'warn', build: { outDir, emptyOutDir: true, copyPublicDir: !liveModels } })
  if (liveModels) await linkModels(root, outDir)
  await writeFile(join(outDir, BUILD_STAMP), `${JSON.stringify({ inputs, liveModels } satisfies Stamp)}\n`)
  return 'built'
}
