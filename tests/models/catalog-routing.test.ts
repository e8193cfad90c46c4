// How the worker finds a model by name: the longest mount-name prefix (directory mounts, exact file mounts, Hub
// OWNER/REPO folders), else the bundled models; paths that climb out are refused. And the names the catalog allows.
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUNDLED_MODELS_ROOT } from '../../scripts/models-index.js'
import { isMissingModel, modelChoices, modelNameProblem, modelPath, RoutingFileSource, sanitizeModelName, uniqueModelName, type ModelEntry } from '../../src/models/catalog/index.js'
import type { FileSource } from '../../src/models/files.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { readPipelineFolder } from '../../src/models/pipeline.js'

/** A FileSource that only records the paths it is asked about. */
function named(label: string): FileSource & { asked: string[] } {
  const asked: string[] = []
  return {
    asked,
    describe: (path) => `${label}:${path}`,
    exists: async (path) => (asked.push(path), true),
    size: async () => 1,
    readBytes: async (path) => (asked.push(path), new Uint8Array()),
    readText: async (path) => (asked.push(path), ''),
  }
}

describe('routing model names to mounts', () => {
  const bundled = named('bundled')
  const loras = named('my-loras')
  const style = named('style')
  const nested = named('nested')
  const hub = named('hub')
  const files = new RoutingFileSource(bundled, [
    { name: 'my-loras', kind: 'directory', files: loras },
    { name: 'my-loras/sub', kind: 'directory', files: nested },
    { name: 'style.safetensors', kind: 'file', files: style },
    { name: 'owner/repo', kind: 'directory', files: hub },
  ])

  it('picks the mount whose name is the longest prefix, segment by segment', () => {
    expect(files.route('my-loras/x.safetensors')).toMatchObject({ files: loras, path: 'x.safetensors', mount: 'my-loras' })
    expect(files.route('my-loras/sub/y.safetensors')).toMatchObject({ files: nested, path: 'y.safetensors', mount: 'my-loras/sub' })
    expect(files.route('my-loras')).toMatchObject({ files: loras, path: '' })
    // "my-loras-2" only shares characters with "my-loras", not a path segment.
    expect(files.route('my-loras-2/x.safetensors')).toMatchObject({ files: bundled, path: 'my-loras-2/x.safetensors' })
    expect(files.route('my-loras/')).toMatchObject({ files: loras, path: '' })
  })

  it('matches a file mount by its exact name only', () => {
    expect(files.route('style.safetensors')).toMatchObject({ files: style, path: '' })
    expect(files.route('style.safetensors/x')).toMatchObject({ files: bundled })
  })

  it('routes Hub names (OWNER/REPO and OWNER/REPO/file) to their folder mount', () => {
    expect(files.route('owner/repo')).toMatchObject({ files: hub, path: '' })
    expect(files.route('owner/repo/lora.safetensors')).toMatchObject({ files: hub, path: 'lora.safetensors' })
    expect(files.route('owner/repo2')).toMatchObject({ files: bundled, path: 'owner/repo2' })
  })

  it('falls back to the bundled models, keeps URLs, and refuses paths that climb out', async () => {
    expect(files.route('tiny-sd15/unet/model.onnx')).toMatchObject({ files: bundled, path: 'tiny-sd15/unet/model.onnx' })
    expect(files.route('https://hub.example/org/m/resolve/main/model_index.json')).toMatchObject({ files: bundled })
    expect(() => files.route('my-loras/../secrets')).toThrow('not a path inside the models folder')
    expect(() => files.route('../x')).toThrow('not a path inside the models folder')
    expect(() => files.route('my-loras/./x')).toThrow('not a path inside the models folder')
    expect(() => modelPath('')).toThrow('not a path inside the models folder')
    expect(modelPath('\\my-loras\\x.safetensors')).toBe('my-loras/x.safetensors')
    await files.exists('my-loras/a/b.safetensors')
    expect(loras.asked).toContain('a/b.safetensors')
    expect(files.describe('style.safetensors')).toBe('style:')
  })

  it('passes read-ahead hints to the source each path routes to, where that source reads ahead', () => {
    const hinted: string[] = []
    const bundledAhead = { ...named('bundled'), readAhead: (paths: readonly string[]) => void hinted.push(...paths) }
    const routed = new RoutingFileSource(bundledAhead, [{ name: 'my-loras', kind: 'directory', files: named('my-loras') }])
    routed.readAhead(['hyper-shapes/unet/model.onnx', 'my-loras/x.safetensors', 'hyper-shapes/vae_decoder/model.onnx'])
    expect(hinted).toEqual(['hyper-shapes/unet/model.onnx', 'hyper-shapes/vae_decoder/model.onnx']) // the mount cannot read ahead
  })

  it('reads a whole pipeline through a mount, with messages and model keys naming the mount', async () => {
    const routed = new RoutingFileSource(named('bundled'), [{ name: 'my-sd15', kind: 'directory', files: new NodeFileSource(resolve(BUNDLED_MODELS_ROOT, 'tiny-sd15')) }])
    const folder = await readPipelineFolder(routed, modelPath('my-sd15'))
    expect(folder.variant).toBe('sd15')
    expect(folder.unet.model.key).toBe(resolve(BUNDLED_MODELS_ROOT, 'tiny-sd15', 'unet/model.onnx'))
    await expect(readPipelineFolder(routed, 'my-sd15/unet')).rejects.toThrow('model_index.json: file not found')
  })

  it('replaces its mounts, the first of a name winning', () => {
    const a = named('a')
    const b = named('b')
    const routed = new RoutingFileSource(bundled)
    routed.setMounts([{ name: 'x', kind: 'directory', files: a }, { name: 'x', kind: 'directory', files: b }])
    expect(routed.route('x/y')).toMatchObject({ files: a })
    expect(routed.mountNames).toEqual(['x'])
  })
})

describe('model names', () => {
  const others = ['tiny-sd15', 'loras/tiny-hyper-sd15-4step-kohya.safetensors', 'owner/repo']

  it('accepts safe relative names that overlap no other model', () => {
    expect(modelNameProblem('my-sd15', others)).toBeNull()
    expect(modelNameProblem('Élan (v2) model_1.safetensors', others)).toBeNull()
    expect(modelNameProblem('owner/repo2', others)).toBeNull()
  })

  it('refuses names that are taken, overlap, climb out, look like URLs or hold odd characters', () => {
    expect(modelNameProblem('tiny-sd15', others)).toMatch(/already exists/)
    expect(modelNameProblem('loras', others)).toMatch(/overlaps the model "loras\/tiny-hyper-sd15-4step-kohya.safetensors"/)
    expect(modelNameProblem('tiny-sd15/unet', others)).toMatch(/overlaps/)
    expect(modelNameProblem('../x', others)).toMatch(/".." path part/)
    expect(modelNameProblem('a//b', others)).toMatch(/empty path part/)
    expect(modelNameProblem('/abs', others)).toMatch(/empty path part/)
    expect(modelNameProblem('https://x/y', others)).toMatch(/URL/)
    expect(modelNameProblem(' padded', others)).toMatch(/space/)
    expect(modelNameProblem('', others)).toMatch(/empty/)
    expect(modelNameProblem('a<b>', others)).toMatch(/characters/)
    expect(modelNameProblem('Other…', others)).toMatch(/characters/)
    expect(modelNameProblem('x'.repeat(201), others)).toMatch(/longer than 200/)
  })

  it('makes free names from file names', () => {
    expect(sanitizeModelName('my model <1>.safetensors')).toBe('my model _1_.safetensors')
    expect(sanitizeModelName('...hidden')).toBe('hidden')
    expect(sanitizeModelName('???')).toBe('model')
    expect(uniqueModelName('tiny-sd15', others)).toBe('tiny-sd15-2')
    expect(uniqueModelName('style.safetensors', ['style.safetensors', 'style-2.safetensors'])).toBe('style-3.safetensors')
    expect(uniqueModelName('loras', others)).toBe('loras-2')
  })
})

describe('catalog lookups', () => {
  const entry = (name: string, kind: ModelEntry['kind'], extra: Partial<ModelEntry> = {}): ModelEntry => ({ id: name, name, kind, origin: 'local', location: name, state: 'ready', ...extra })
  const entries = [
    entry('tiny-sd15', 'sd15-pipeline', { origin: 'bundled' }),
    entry('big-xl', 'sdxl-pipeline'),
    entry('broken', 'sd15-pipeline', { state: 'failed' }),
    entry('my-loras', 'unknown', { contents: [{ path: 'a.safetensors', kind: 'lora' }, { path: 'b.onnx', kind: 'unknown' }] }),
    entry('style.safetensors', 'lora'),
    // Hub downloads a preset named (so their kind is known) that have not finished.
    entry('o/r/partial.safetensors', 'lora', { origin: 'hub', state: 'partial' }),
    entry('o/pipeline', 'sd15-pipeline', { origin: 'hub', state: 'downloading' }),
  ]

  it('offers both pipeline variants, LoRAs inside folders, and nothing that failed or is still downloading', () => {
    expect(modelChoices(entries, 'pipeline')).toEqual(['tiny-sd15', 'big-xl'])
    expect(modelChoices(entries, 'lora')).toEqual(['my-loras/a.safetensors', 'style.safetensors'])
    expect(modelChoices(entries, 'clip-vision')).toEqual([])
  })

  it('calls a name missing only when no entry has it or holds it', () => {
    expect(isMissingModel(entries, 'tiny-sd15')).toBe(false)
    expect(isMissingModel(entries, 'tiny-sd15/unet/model.onnx')).toBe(false)
    expect(isMissingModel(entries, 'my-loras/other.safetensors')).toBe(false)
    expect(isMissingModel(entries, 'not-here')).toBe(true)
    expect(isMissingModel(entries, '')).toBe(false)
    expect(isMissingModel(entries, 'https://hub.example/m')).toBe(false)
  })
})
