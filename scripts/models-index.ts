// `npm run models:index`: writes public/models/index.json, the manifest of the bundled models the app lists in its
// Models tab (kind, detail, size), detected from the folder itself. tests/models/bundled-manifest.test.ts fails when
// the committed file no longer matches the folder.
import { writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLED_MANIFEST, scanBundledModels, serializeBundledManifest } from '../src/models/catalog/index.js'
import { NodeFileSource } from '../src/models/node-files.js'

export const BUNDLED_MODELS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'models')

/** The manifest text for the models folder `root`. */
export async function bundledManifestText(root: string = BUNDLED_MODELS_ROOT): Promise<string> {
  const files = new NodeFileSource(root)
  return serializeBundledManifest(await scanBundledModels(files, await files.listFiles('')))
}

export async function writeBundledManifest(root: string = BUNDLED_MODELS_ROOT): Promise<string> {
  const path = join(root, BUNDLED_MANIFEST)
  await writeFile(path, await bundledManifestText(root))
  return path
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`wrote ${await writeBundledManifest()}`)
}
