// Finds the models under a models folder: pipeline folders (model_index.json), single exported models (a folder
// with model.onnx), loose .safetensors/.onnx files, and the Hub repositories pulled into OWNER/REPO folders.
import { readdir, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { MANIFEST_NAME, PARTIAL_SUFFIX } from '../../../hub/storage.js'

export interface FoundModel {
  /** The name graphs use: the path relative to the models folder, '/'-separated. */
  readonly name: string
  readonly path: string
  readonly shape: 'pipeline-folder' | 'model-folder' | 'file'
  readonly bytes: number
  /** The pulled repository folder this model lies in (holds the download record). */
  readonly pulledFrom?: string
}

async function folderBytes(path: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name)
    total += entry.isDirectory() ? await folderBytes(full) : entry.isFile() && !entry.name.endsWith(PARTIAL_SUFFIX) ? (await stat(full)).size : 0
  }
  return total
}

export async function findModels(root: string, maxDepth = 4): Promise<FoundModel[]> {
  const found: FoundModel[] = []
  const visit = async (folder: string, depth: number, pulledFrom: string | undefined): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => [])
    const names = new Set(entries.map((e) => e.name))
    const pulled = names.has(MANIFEST_NAME) ? folder : pulledFrom
    const name = relative(root, folder).split('\\').join('/')
    const base = { name, path: folder, ...(pulled ? { pulledFrom: pulled } : {}) }
    if (names.has('model_index.json')) {
      found.push({ ...base, shape: 'pipeline-folder', bytes: await folderBytes(folder) })
      return
    }
    if (names.has('model.onnx') && depth > 0) {
      found.push({ ...base, shape: 'model-folder', bytes: await folderBytes(folder) })
      return
    }
    for (const entry of entries) {
      const full = join(folder, entry.name)
      if (entry.isDirectory() && depth < maxDepth && !entry.name.startsWith('.')) await visit(full, depth + 1, pulled)
      else if (entry.isFile() && /\.(safetensors|onnx)$/i.test(entry.name)) {
        found.push({ name: relative(root, full).split('\\').join('/'), path: full, shape: 'file', bytes: (await stat(full)).size, ...(pulled ? { pulledFrom: pulled } : {}) })
      }
    }
  }
  await visit(root, 0, undefined)
  return found.sort((a, b) => a.name.localeCompare(b.name))
}

/** The pulled repository folders (those with a download record) under `root`: OWNER/REPO. */
export async function findPulledRepos(root: string): Promise<string[]> {
  const repos: string[] = []
  for (const owner of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!owner.isDirectory()) continue
    for (const repo of await readdir(join(root, owner.name), { withFileTypes: true }).catch(() => [])) {
      if (repo.isDirectory() && (await stat(join(root, owner.name, repo.name, MANIFEST_NAME)).catch(() => undefined))) repos.push(`${owner.name}/${repo.name}`)
    }
  }
  return repos.sort()
}
