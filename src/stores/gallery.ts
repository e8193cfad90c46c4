// Images from runs: the gallery of recent results (with the parameters and timings that produced them) and
// the latest image of each Preview/Save node, drawn on the canvas.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ImageOutput } from '../../nodes/services.js'

export interface GalleryEntry {
  readonly id: string
  readonly runId: string
  readonly nodeId: string
  readonly kind: 'save' | 'preview'
  readonly url: string
  readonly fileName: string
  readonly width: number
  readonly height: number
  readonly parameters: Readonly<Record<string, string | number | boolean>>
  readonly createdAt: number
  totalMs: number | null
  nodeMs: Readonly<Record<string, number>>
}

export interface NodeImage {
  readonly bitmap: ImageBitmap
  readonly width: number
  readonly height: number
}

const LIMIT = 48

export const useGallery = defineStore('gallery', () => {
  const entries = ref<GalleryEntry[]>([])
  const nodeImages = shallowRef(new Map<string, NodeImage>())
  let counter = 0

  function add(runId: string, output: ImageOutput, nodeMs: Record<string, number>): void {
    output.pngs.forEach((png, i) => {
      const blob = new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' })
      const id = `img-${++counter}`
      entries.value.unshift({
        id,
        runId,
        nodeId: output.nodeId,
        kind: output.kind,
        url: URL.createObjectURL(blob),
        fileName: `${output.filenamePrefix || 'hypersd'}_${String(counter).padStart(5, '0')}.png`,
        width: output.width,
        height: output.height,
        parameters: output.parameters,
        createdAt: Date.now(),
        totalMs: null,
        nodeMs,
      })
      if (i === 0) void showOnNode(output.nodeId, blob, output.width, output.height)
    })
    for (const dropped of entries.value.splice(LIMIT)) URL.revokeObjectURL(dropped.url)
  }

  async function showOnNode(nodeId: string, blob: Blob, width: number, height: number): Promise<void> {
    const bitmap = await createImageBitmap(blob)
    const next = new Map(nodeImages.value)
    next.get(nodeId)?.bitmap.close()
    next.set(nodeId, { bitmap, width, height })
    nodeImages.value = next
  }

  function setTimings(runId: string, totalMs: number, nodeMs: Record<string, number>): void {
    for (const entry of entries.value) {
      if (entry.runId !== runId) continue
      entry.totalMs = totalMs
      entry.nodeMs = nodeMs
    }
  }

  function remove(id: string): void {
    const index = entries.value.findIndex((e) => e.id === id)
    if (index < 0) return
    URL.revokeObjectURL(entries.value[index]!.url)
    entries.value.splice(index, 1)
  }

  return { entries, nodeImages, add, setTimings, remove }
})
