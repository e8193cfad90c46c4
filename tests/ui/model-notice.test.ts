// The Output panel says which model drew an image, from the run's parameters: noise from a random-weight tiny model
// is announced as expected; a trained model is named with its LoRA.
import { describe, expect, it } from 'vitest'
import { modelNotice } from '../../src/ui/output/model-notice.js'

const catalog = (name: string) =>
  name === 'tiny-sd15' || name === 'hyper-shapes' ? ({ kind: 'sd15-pipeline', origin: 'bundled' } as const) : undefined

describe('modelNotice', () => {
  it('says a tiny random-weight model draws noise, as expected', () => {
    const notice = modelNotice({ model: 'tiny-sd15', seed: 1 }, catalog)
    expect(notice?.kind).toBe('noise')
    expect(notice?.text).toMatch(/^This picture is noise, as expected: the bundled tiny model “tiny-sd15” \(SD1\.5 pipeline\) has random weights/)
  })

  it('names the trained model and its LoRA', () => {
    const notice = modelNotice({ model: 'hyper-shapes', lora_1: 'loras/hyper-shapes-4step.safetensors:1:live' }, catalog)
    expect(notice).toEqual({ kind: 'model', text: 'Drawn by the bundled model “hyper-shapes” (SD1.5 pipeline) with LoRA hyper-shapes-4step.' })
  })

  it('names a model the catalog does not know, and nothing for images without a model', () => {
    expect(modelNotice({ model: 'my-model' }, catalog)?.text).toBe('Drawn by the model “my-model” (pipeline).')
    expect(modelNotice({ seed: 1 }, catalog)).toBeNull()
  })
})
