// The record a pull leaves beside the files: where they came from and, per file, the size and sha256 to verify
// against and whether it is complete. `models verify` and the browser's re-verify read it.
import { z } from 'zod'
import { HubError } from './errors.js'
import type { RepoStore } from './storage.js'

export const FILE_STATES = ['pending', 'complete', 'failed'] as const
export type ManifestFileState = (typeof FILE_STATES)[number]

const manifestFile = z.object({
  path: z.string(),
  size: z.number().int().nonnegative().optional(),
  sha256: z.string().optional(),
  state: z.enum(FILE_STATES),
  error: z.string().optional(),
})
const manifestSchema = z.object({
  format: z.literal(1),
  endpoint: z.string(),
  repo: z.string(),
  revision: z.string(),
  subfolder: z.string().optional(),
  updatedAt: z.string(),
  files: z.array(manifestFile),
})

export type ManifestFile = z.infer<typeof manifestFile>
export type DownloadManifest = z.infer<typeof manifestSchema>

export async function readManifest(store: RepoStore): Promise<DownloadManifest | undefined> {
  const text = await store.readManifest()
  if (text === undefined) return undefined
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new HubError('usage', `${store.describe('.hypersd-download.json')}: not JSON; delete the folder and pull again`)
  }
  const parsed = manifestSchema.safeParse(json)
  if (!parsed.success) throw new HubError('usage', `${store.describe('.hypersd-download.json')}: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}

export async function writeManifest(store: RepoStore, manifest: DownloadManifest): Promise<void> {
  await store.writeManifest(`${JSON.stringify({ ...manifest, updatedAt: new Date().toISOString() }, null, 2)}\n`)
}

/** Whether every file is complete. */
export function isComplete(manifest: DownloadManifest): boolean {
  return manifest.files.length > 0 && manifest.files.every((f) => f.state === 'complete')
}
