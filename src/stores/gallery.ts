// Images from runs: the gallery of results (with the parameters and timings that produced them, and a label naming
// what changed since the run before), kept across reloads in IndexedDB under a size cap, and the latest image of each
// Preview/Save node drawn on the canvas. Results belong to the graph they were made from: opening another graph
// clears the canvas previews and the Output panel, while the gallery keeps its history.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, toRaw, watch } from 'vue'
import type { ImageOutput } from '../../nodes/services.js'
import { applyCap, GALLERY_CAP } from './gallery-cap.js'
import { clearImages, deleteImages, putImage, readImages, type StoredImage } from './gallery-db.js'
import { changeLabel } from './gallery-diff.js'
import { useGraph } from './graph.js'

export interface GalleryEntry extends StoredImage {
  readonly url: string
  readonly bytes: number
  /** The open graph the image was made from, in this page's life ("" for images restored after a reload). */
  readonly documentKey: string
}

export interface NodeImage {
  readonly bitmap: ImageBitmap
  readonly width: number
  readonly height: number
}

/** Tells this page's graphs apart from those of earlier page loads (whose images come back from IndexedDB). */
const PAGE = Math.random().toString(36).slice(2, 8)

export const useGallery = defineStore('gallery', () => {
  const graph = useGraph()
  const entries = ref<GalleryEntry[]>([])
  const nodeImages = shallowRef(new Map<string, NodeImage>())
  /** An image picked in the gallery to show in the Output panel; null: the open graph's latest. */
  const focusedId = ref<string | null>(null)
  /** Ids picked for comparison (at most two, the earlier pick first). */
  const compareIds = ref<string[]>([])
  /** How many old images the cap dropped in this page's life, for the gallery to say so. */
  const droppedByCap = ref(0)
  const storageError = ref<string | null>(null)
  /** The images kept from earlier page loads have been read (or could not be). */
  const restoredDone = ref(false)
  const documentKey = computed(() => `${PAGE}:${graph.opened}`)
  let counter = 0
  let restored: Promise<void> | null = null

  /** The newest image of the open graph, which the Output panel shows. */
  const latestOfOpenGraph = computed(() => entries.value.find((e) => e.documentKey === documentKey.value) ?? null)
  const focused = computed(() => entries.value.find((e) => e.id === focusedId.value) ?? null)

  // Another graph opened: its nodes must not show the previous graph's images.
  watch(documentKey, () => {
    for (const image of nodeImages.value.values()) image.bitmap.close()
    nodeImages.value = new Map()
    focusedId.value = null
  })

  /** Reads the images kept from earlier page loads (once); images made meanwhile stay in front. */
  function restore(): Promise<void> {
    restored ??= readImages()
      .then((stored) => {
        const known = new Set(entries.value.map((e) => e.id))
        const old = stored.filter((s) => !known.has(s.id)).map((s) => toEntry(s, ''))
        entries.value = [...entries.value, ...old].sort((a, b) => b.createdAt - a.createdAt)
        enforceCap()
      })
      .catch((error: unknown) => {
        storageError.value = `The gallery could not be read from browser storage: ${error instanceof Error ? error.message : String(error)}`
      })
      .finally(() => (restoredDone.value = true))
    return restored
  }

  function toEntry(image: StoredImage, key: string): GalleryEntry {
    return { ...image, url: URL.createObjectURL(image.png), bytes: image.png.size, documentKey: key }
  }

  /** Images a run made. `documentKey` is that of the graph the run was queued from (the open one by default). */
  function add(runId: string, output: ImageOutput, nodeMs: Record<string, number>, key = documentKey.value): void {
    const previous = entries.value.find((e) => e.runId !== runId) ?? null
    const label = changeLabel(previous?.parameters ?? null, output.parameters)
    output.pngs.forEach((png, i) => {
      const blob = new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' })
      counter++
      const createdAt = Date.now()
      const image: StoredImage = {
        id: `img-${createdAt.toString(36)}-${PAGE}-${counter}`,
        runId,
        nodeId: output.nodeId,
        kind: output.kind,
        png: blob,
        fileName: `${output.filenamePrefix || 'hypersd'}_${String(counter).padStart(5, '0')}.png`,
        width: output.width,
        height: output.height,
        parameters: output.parameters,
        label,
        graphName: graph.name,
        createdAt,
        totalMs: null,
        nodeMs,
      }
      entries.value.unshift(toEntry(image, key))
      if (i === 0 && key === documentKey.value) void showOnNode(output.nodeId, blob, output.width, output.height)
    })
    focusedId.value = null
    enforceCap()
  }

  function enforceCap(): void {
    const { kept, dropped } = applyCap(entries.value, GALLERY_CAP)
    if (dropped.length === 0) return
    entries.value = kept
    droppedByCap.value += dropped.length
    forget(dropped)
  }

  function forget(gone: readonly GalleryEntry[]): void {
    for (const entry of gone) URL.revokeObjectURL(entry.url)
    const ids = new Set(gone.map((e) => e.id))
    compareIds.value = compareIds.value.filter((id) => !ids.has(id))
    if (focusedId.value && ids.has(focusedId.value)) focusedId.value = null
    void deleteImages([...ids]).catch(storageFailed)
  }

  function save(image: StoredImage): void {
    void putImage(image).catch(storageFailed)
  }

  function storageFailed(error: unknown): void {
    storageError.value = `The gallery could not be kept in browser storage: ${error instanceof Error ? error.message : String(error)}`
  }

  async function showOnNode(nodeId: string, blob: Blob, width: number, height: number): Promise<void> {
    const bitmap = await createImageBitmap(blob)
    const next = new Map(nodeImages.value)
    next.get(nodeId)?.bitmap.close()
    next.set(nodeId, { bitmap, width, height })
    nodeImages.value = next
  }

  /**
   * A run ended: its images get their timings (when it finished) and are stored, once per image. Storing at the
   * end rather than as each image arrives writes every PNG once instead of again with the timings.
   */
  function runEnded(runId: string, timings: { totalMs: number; nodeMs: Record<string, number> } | null): void {
    entries.value = entries.value.map((entry) => {
      if (entry.runId !== runId) return entry
      // Plain objects for IndexedDB (a reactive proxy cannot be cloned into it).
      const updated = timings ? { ...toRaw(entry), totalMs: timings.totalMs, nodeMs: { ...timings.nodeMs } } : toRaw(entry)
      save(storedPart(updated))
      return updated
    })
  }

  function remove(id: string): void {
    const entry = entries.value.find((e) => e.id === id)
    if (!entry) return
    entries.value = entries.value.filter((e) => e.id !== id)
    forget([entry])
  }

  /** Empties the gallery and its stored copy (the canvas previews of the open graph stay). */
  async function clear(): Promise<void> {
    const gone = entries.value
    entries.value = []
    compareIds.value = []
    focusedId.value = null
    droppedByCap.value = 0
    for (const entry of gone) URL.revokeObjectURL(entry.url)
    await clearImages().catch(storageFailed)
  }

  /** Picks or unpicks an image for comparison; a third pick replaces the earlier of the two. */
  function toggleCompare(id: string): void {
    if (compareIds.value.includes(id)) compareIds.value = compareIds.value.filter((c) => c !== id)
    else compareIds.value = [...compareIds.value, id].slice(-2)
  }

  const comparePair = computed((): [GalleryEntry, GalleryEntry] | null => {
    const [a, b] = compareIds.value.map((id) => entries.value.find((e) => e.id === id))
    return a && b ? [a, b] : null
  })

  if (typeof indexedDB !== 'undefined') void restore()

  return {
    entries,
    nodeImages,
    focusedId,
    focused,
    latestOfOpenGraph,
    documentKey,
    compareIds,
    comparePair,
    droppedByCap,
    storageError,
    restoredDone,
    restore,
    add,
    runEnded,
    remove,
    clear,
    toggleCompare,
  }
})

function storedPart(entry: GalleryEntry): StoredImage {
  const { url: _url, bytes: _bytes, documentKey: _key, ...image } = entry
  return image
}
