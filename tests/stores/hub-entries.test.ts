// How Hub downloads appear in the catalog before their files can be read: the kind a preset says, and each entry's
// share of a pull's bytes.
import { describe, expect, it } from 'vitest'
import type { PullFileProgress, PullProgress } from '../../src/hub/pull.js'
import { expectedHubKind, hubEntry, hubTargets, targetProgress } from '../../src/stores/hub-entries.js'

describe('expectedHubKind', () => {
  it('names the kind of a preset’s base pipeline and Hyper-SD file', () => {
    expect(expectedHubKind('onnx-community/stable-diffusion-v1-5-ONNX')).toEqual({ kind: 'sd15-pipeline' })
    expect(expectedHubKind('stabilityai/stable-diffusion-xl-base-1.0')).toEqual({ kind: 'sdxl-pipeline' })
    expect(expectedHubKind('ByteDance/Hyper-SD/Hyper-SD15-4steps-lora.safetensors')).toEqual({ kind: 'lora', detail: 'SD1.5' })
    expect(expectedHubKind('ByteDance/Hyper-SD/Hyper-SDXL-1step-Unet.safetensors')).toEqual({ kind: 'unet-weights', detail: 'SDXL' })
  })

  it('says unknown for anything no preset names', () => {
    expect(expectedHubKind('someone/some-export')).toEqual({ kind: 'unknown' })
    expect(expectedHubKind('ByteDance/Hyper-SD/Hyper-SD15-3steps-lora.safetensors')).toEqual({ kind: 'unknown' })
  })

  it('gives a new download entry that kind', () => {
    const [target] = hubTargets({ repo: 'ByteDance/Hyper-SD', revision: 'main' }, ['Hyper-SD15-4steps-lora.safetensors'])
    expect(hubEntry(target!, { repo: 'ByteDance/Hyper-SD', revision: 'main' }, 'downloading')).toMatchObject({ kind: 'lora', detail: 'SD1.5', state: 'downloading', location: 'ByteDance/Hyper-SD@main' })
  })
})

describe('targetProgress', () => {
  const file = (path: string, loaded: number, total: number | undefined, state: PullFileProgress['state'] = 'pending'): PullFileProgress => ({ path, loaded, total, state })
  const pull = (files: PullFileProgress[], extra: Partial<PullProgress> = {}): PullProgress => ({ files, loaded: 0, total: undefined, bytesPerSecond: 0, etaSeconds: undefined, current: undefined, ...extra })

  it('gives a pipeline every file of its pull, rate and ETA included', () => {
    const [pipeline] = hubTargets({ repo: 'o/p', revision: 'main' }, [])
    const p = pull([file('model_index.json', 500, 500, 'complete'), file('unet/model.onnx', 150_000, 224_000, 'downloading')], { bytesPerSecond: 1000, etaSeconds: 74 })
    expect(targetProgress(pipeline!, p)).toEqual({ loaded: 150_500, total: 224_500, bytesPerSecond: 1000, etaSeconds: 74 })
  })

  it('gives a file entry its own file only', () => {
    const [a, b] = hubTargets({ repo: 'o/loras', revision: 'main' }, ['a.safetensors', 'b.safetensors'])
    const p = pull([file('a.safetensors', 100, 100, 'complete'), file('b.safetensors', 40, 300, 'failed')])
    expect(targetProgress(a!, p)).toMatchObject({ loaded: 100, total: 100 })
    expect(targetProgress(b!, p)).toMatchObject({ loaded: 40, total: 300 })
  })

  it('has no figure for an entry whose file the pull does not hold', () => {
    const [missing] = hubTargets({ repo: 'o/loras', revision: 'main' }, ['c.safetensors'])
    expect(targetProgress(missing!, pull([file('a.safetensors', 100, 100, 'complete')]))).toBeUndefined()
  })

  it('counts a total nobody gave as 0', () => {
    const [pipeline] = hubTargets({ repo: 'o/p', revision: 'main' }, [])
    expect(targetProgress(pipeline!, pull([file('x.onnx', 10, undefined)]))).toMatchObject({ loaded: 10, total: 0 })
  })
})
