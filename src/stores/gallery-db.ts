// The gallery's IndexedDB store: one record per image (its PNG as a Blob, with the parameters and label it was
// shown with), so the gallery survives a reload. Kept apart from the autosave and the model catalog.
import { indexedStore } from './idb.js'

export interface StoredImage {
  readonly id: string
  readonly runId: string
  readonly nodeId: string
  readonly kind: 'save' | 'preview'
  readonly png: Blob
  readonly fileName: string
  readonly width: number
  readonly height: number
  readonly parameters: Readonly<Record<string, string | number | boolean>>
  readonly label: string
  readonly graphName: string
  readonly createdAt: number
  readonly totalMs: number | null
  readonly nodeMs: Readonly<Record<string, number>>
}

const store = indexedStore('hypersd-gallery', 'images', { keyPath: 'id' })

/** Every stored image, newest first. */
export async function readImages(): Promise<StoredImage[]> {
  const all = await store<StoredImage[]>('readonly', (s) => s.getAll())
  return all.sort((a, b) => b.createdAt - a.createdAt)
}

export async function putImage(image: StoredImage): Promise<void> {
  await store('readwrite', (s) => s.put(image))
}

export async function deleteImages(ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  // One transaction for all of them; it completes after the last delete.
  await store('readwrite', (s) => ids.map((id) => s.delete(id)).at(-1)!)
}

export async function clearImages(): Promise<void> {
  await store('readwrite', (s) => s.clear())
}
