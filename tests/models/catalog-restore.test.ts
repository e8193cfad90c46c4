// Catalog entries read back from IndexedDB after a reload: folder handles that need a new grant, interrupted
// downloads, File-based entries the browser kept no copy of; and the plain copies the store writes.
import { describe, expect, it } from 'vitest'
import { reactive } from 'vue'
import type { ModelEntry } from '../../src/models/catalog/types.js'
import type { ModelMount } from '../../src/models/browser/mounts.js'
import { patchedEntry, plainEntry, restoredEntry } from '../../src/stores/model-entries.js'

const entry = (extra: Partial<ModelEntry> = {}): ModelEntry => ({ id: 'local:1', name: 'my-sd15', kind: 'sd15-pipeline', origin: 'local', location: 'sd15-onnx', state: 'ready', ...extra })

/** A folder handle as far as restoring needs: its permission answer. */
function folderMount(permission: 'granted' | 'prompt'): ModelMount {
  const handle = { kind: 'directory', name: 'sd15-onnx', queryPermission: async () => permission } as unknown as FileSystemDirectoryHandle
  return { name: 'my-sd15', kind: 'directory', handle }
}

describe('restoring catalog entries after a reload', () => {
  it('asks for access again when the folder handle needs a new grant, and is ready when it does not', async () => {
    const waiting = await restoredEntry({ entry: entry(), mount: folderMount('prompt') })
    expect(waiting.state).toBe('needs-permission')
    expect(waiting.error).toContain('sd15-onnx')
    expect(await restoredEntry({ entry: entry({ state: 'needs-permission', error: 'x' }), mount: folderMount('granted') })).toEqual(entry())
  })

  it('turns an interrupted download into a partial one and keeps File-based entries as they were', async () => {
    const hub = entry({ origin: 'hub', state: 'downloading', progress: { loaded: 1, total: 2, bytesPerSecond: 3 } })
    const restored = await restoredEntry({ entry: hub, mount: folderMount('granted') })
    expect(restored.state).toBe('partial')
    expect(restored.progress).toBeUndefined()
    const file = new File([new Uint8Array(4)], 'style.safetensors')
    expect(await restoredEntry({ entry: entry({ kind: 'lora' }), mount: { name: 'style.safetensors', kind: 'file', file } })).toEqual(entry({ kind: 'lora' }))
  })

  it('marks a local entry whose files were not kept as failed, saying to add it again', async () => {
    const lost = await restoredEntry({ entry: entry() })
    expect(lost.state).toBe('failed')
    expect(lost.error).toMatch(/add it again/)
  })
})

describe('plain entry copies', () => {
  it('copies reactive entries deeply into cloneable objects and drops patched-away fields', () => {
    const live = reactive(entry({ contents: [{ path: 'a.safetensors', kind: 'lora' }], error: 'old' }))
    const copy = plainEntry(live)
    expect(structuredClone(copy)).toEqual(copy)
    expect(copy.contents).toEqual([{ path: 'a.safetensors', kind: 'lora' }])
    const patched = patchedEntry(live, { error: undefined, state: 'failed' })
    expect('error' in patched).toBe(false)
    expect(patched.state).toBe('failed')
  })
})
