// Uploaded input images (Load Image) in IndexedDB, shared by the editor (which stores them) and the engine worker
// (which reads them). A name always means the same bytes: an upload whose name is taken by other bytes gets a new
// name ("photo (2).png"), so a graph's cached results stay right and a shared graph names what it used.
import { indexedStore } from './idb.js'

export interface StoredInputImage {
  readonly name: string
  readonly type: string
  readonly bytes: Blob
  readonly size: number
  readonly addedAt: number
}

/** Largest image accepted for upload (a camera JPEG is a few MB). */
export const MAX_INPUT_IMAGE_BYTES = 64 * 1024 * 1024
const MAX_NAME_LENGTH = 200

const store = indexedStore('hypersd-input-images', 'images', { keyPath: 'name' })

/** The stored images without their bytes, newest first. */
export async function listInputImages(): Promise<Omit<StoredInputImage, 'bytes'>[]> {
  const all = await store<StoredInputImage[]>('readonly', (s) => s.getAll())
  return all.map(({ name, type, size, addedAt }) => ({ name, type, size, addedAt })).sort((a, b) => b.addedAt - a.addedAt)
}

export async function readInputImage(name: string): Promise<StoredInputImage | undefined> {
  return store<StoredInputImage | undefined>('readonly', (s) => s.get(name))
}

/** Bundled names are plain file names: nothing that could reach outside input/. */
const PLAIN_NAME = /^[^/\\?#%]+$/

/**
 * The bytes of `name`: uploaded, else bundled with the app (public/input, served as `inputBase`); undefined when
 * neither has it. The editor (previews) and the engine worker (runs) look images up the same way.
 */
export async function inputImageBlob(name: string, inputBase: string): Promise<Blob | undefined> {
  const stored = await readInputImage(name)
  if (stored) return stored.bytes
  if (!PLAIN_NAME.test(name) || name === '.' || name === '..') return undefined
  const response = await fetch(new URL(encodeURIComponent(name), inputBase))
  return response.ok ? response.blob() : undefined
}

export async function deleteInputImage(name: string): Promise<void> {
  await store('readwrite', (s) => s.delete(name))
}

/** A file's name as a plain image name: no folders, no control characters, not too long. */
export function inputImageName(fileName: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (fileName.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim()
  const name = base === '' || base === '.' || base === '..' ? 'image.png' : base
  if (name.length <= MAX_NAME_LENGTH) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
  return name.slice(0, MAX_NAME_LENGTH - ext.length) + ext
}

/** `name` or, where other bytes hold it, the first "stem (k).ext" that is free or holds these bytes. */
function candidateName(name: string, k: number): string {
  if (k === 1) return name
  const dot = name.lastIndexOf('.')
  return dot > 0 ? `${name.slice(0, dot)} (${k})${name.slice(dot)}` : `${name} (${k})`
}

async function sameBytes(a: Blob, b: Blob): Promise<boolean> {
  if (a.size !== b.size) return false
  const [x, y] = await Promise.all([a.arrayBuffer(), b.arrayBuffer()])
  const left = new Uint8Array(x)
  const right = new Uint8Array(y)
  for (let i = 0; i < left.length; i++) if (left[i] !== right[i]) return false
  return true
}

/** Stores `file` and returns the name graphs should use for it. */
export async function storeInputImage(file: Blob, fileName: string): Promise<string> {
  if (file.size > MAX_INPUT_IMAGE_BYTES) throw new Error(`${fileName}: ${(file.size / 2 ** 20).toFixed(1)} MiB is larger than the ${MAX_INPUT_IMAGE_BYTES / 2 ** 20} MiB an input image may be`)
  const base = inputImageName(fileName)
  for (let k = 1; k < 10_000; k++) {
    const name = candidateName(base, k)
    const existing = await readInputImage(name)
    if (existing && (await sameBytes(existing.bytes, file))) return name
    if (existing) continue
    const record: StoredInputImage = { name, type: file.type, bytes: file, size: file.size, addedAt: Date.now() }
    await store('readwrite', (s) => s.put(record))
    return name
  }
  throw new Error(`${fileName}: too many images with this name`)
}
