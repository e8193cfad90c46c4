// The input images Load Image nodes name: uploaded ones (IndexedDB, shared with the engine worker) and the app's
// bundled ones (input/), with a decoded preview of each name a node shows, loaded when first asked for.
import { defineStore } from 'pinia'
import { computed, ref, shallowReactive } from 'vue'
import { deleteInputImage, inputImageBlob, listInputImages, storeInputImage } from './input-image-db.js'

export interface InputPreview {
  readonly bitmap: ImageBitmap
  readonly width: number
  readonly height: number
}

export const useInputImages = defineStore('inputImages', () => {
  /** Uploaded images (without their bytes), newest first. */
  const stored = ref<{ name: string; size: number; addedAt: number }[]>([])
  const names = computed(() => stored.value.map((image) => image.name))
  /** Decoded previews by name; a name that could not be read maps to null. */
  const previews = shallowReactive(new Map<string, InputPreview | null>())
  const loading = new Set<string>()

  async function refresh(): Promise<void> {
    stored.value = (await listInputImages()).map(({ name, size, addedAt }) => ({ name, size, addedAt }))
  }

  async function loadPreview(name: string): Promise<void> {
    try {
      const blob = await inputImageBlob(name, new URL('input/', document.baseURI).href)
      if (!blob) return void previews.set(name, null)
      const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' })
      previews.set(name, { bitmap, width: bitmap.width, height: bitmap.height })
    } catch {
      previews.set(name, null)
    }
  }

  /** Starts loading `name`'s preview unless it is loaded or loading. */
  function ensurePreview(name: string): void {
    if (name === '' || previews.has(name) || loading.has(name)) return
    loading.add(name)
    void loadPreview(name).finally(() => loading.delete(name))
  }

  /** Stores `file` and returns the name a Load Image node should hold. */
  async function upload(file: File): Promise<string> {
    const name = await storeInputImage(file, file.name)
    previews.get(name)?.bitmap.close()
    previews.delete(name)
    await refresh()
    ensurePreview(name)
    return name
  }

  async function remove(name: string): Promise<void> {
    await deleteInputImage(name)
    previews.get(name)?.bitmap.close()
    previews.delete(name)
    await refresh()
  }

  return { stored, names, previews, refresh, ensurePreview, upload, remove }
})
