// After a reload cut a pull off, its figure comes from what the store holds: partial files' bytes and complete
// files' sizes, for the files the download record lists.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keptFromManifest, stoppedProgress } from '../../src/hub/kept.js'
import type { ManifestFile } from '../../src/hub/manifest.js'
import { NodeRepoStore } from '../../src/hub/node-store.js'

let dir: string
let store: NodeRepoStore
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hypersd-kept-'))
  store = new NodeRepoStore(dir)
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function writePartial(path: string, bytes: number, commit = false): Promise<void> {
  const part = store.partial(path)
  const writer = await part.writeFrom(0)
  await writer.write(new Uint8Array(bytes))
  await writer.close()
  if (commit) await part.commit()
}

describe('keptFromManifest', () => {
  it('gives the named files of the download record with the bytes kept (after a reload)', async () => {
    await writePartial('model_index.json', 500, true)
    await writePartial('unet/model.onnx', 150_000)
    const manifest: ManifestFile[] = [
      { path: 'model_index.json', size: 500, state: 'complete' },
      { path: 'unet/model.onnx', size: 224_000, state: 'failed', error: 'cut' },
      { path: 'vae_decoder/model.onnx', size: 9_000, state: 'pending' },
      { path: 'other.safetensors', size: 1_000, state: 'complete' },
    ]
    const files = await keptFromManifest(store, manifest, ['model_index.json', 'unet/model.onnx', 'vae_decoder/model.onnx'])
    expect(files).toEqual([
      { path: 'model_index.json', loaded: 500, total: 500, state: 'complete' },
      { path: 'unet/model.onnx', loaded: 150_000, total: 224_000, state: 'failed' },
      { path: 'vae_decoder/model.onnx', loaded: 0, total: 9_000, state: 'pending' },
    ])
    expect(stoppedProgress(files)).toMatchObject({ loaded: 150_500, total: 233_500 })
  })

  it('has no total when a file’s size is unknown', async () => {
    const files = await keptFromManifest(store, [{ path: 'x.onnx', state: 'pending' }], ['x.onnx'])
    expect(stoppedProgress(files)).toMatchObject({ loaded: 0, total: undefined })
  })
})
