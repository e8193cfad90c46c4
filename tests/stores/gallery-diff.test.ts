// Gallery labels name the inputs that changed since the run before (not "seed 42 · 4 steps" for every image), and
// the compare view lists each difference.
import { describe, expect, it } from 'vitest'
import { changeLabel, changeText, formatValue, parameterChanges } from '../../src/stores/gallery-diff.js'

const base = {
  seed: 42,
  steps: 4,
  scheduler: 'ddim-trailing',
  timesteps: '999,749,499,249',
  eta: 0.3,
  cfg: 1,
  denoise: 1,
  prompt: 'a large green triangle in the top right on a yellow background',
  model: 'hyper-shapes',
  lora_1: 'loras/hyper-shapes-4step.safetensors:1:live',
}

describe('changeLabel', () => {
  it('labels the first image with its seed and steps', () => {
    expect(changeLabel(null, base)).toBe('seed 42 · 4 steps')
  })

  it('names the one input that changed, with both values', () => {
    expect(changeLabel(base, { ...base, eta: 0.5 })).toBe('eta 0.3 → 0.5')
    expect(changeLabel(base, { ...base, seed: 43 })).toBe('seed 42 → 43')
  })

  it('splits a LoRA into its scale and mode, and names a swapped LoRA by file', () => {
    expect(changeLabel(base, { ...base, lora_1: 'loras/hyper-shapes-4step.safetensors:0.8:live' })).toBe('lora scale 1 → 0.8')
    expect(changeLabel(base, { ...base, lora_1: 'loras/hyper-shapes-4step.safetensors:1:merged' })).toBe('lora mode live → merged')
    expect(changeLabel(base, { ...base, lora_1: 'loras/hyper-shapes-2step.safetensors:1:live' })).toBe('lora hyper-shapes-4step → hyper-shapes-2step')
    expect(changeLabel(base, { ...base, lora_2: 'local:ab:cd/x.safetensors:0.5:live' })).toBe('lora 2 x')
  })

  it('rounds away float noise, so a value stored as -1.0000003 reads as unchanged', () => {
    expect(formatValue(0.4999999999999996)).toBe('0.5')
    expect(changeLabel({ ...base, lora_1: 'x:-1:live' }, { ...base, lora_1: 'x:-1.0000003814697265:live' })).toBe('same inputs')
    expect(changeLabel({ ...base, eta: 0.5 }, { ...base, eta: 0.4999999999999996 })).toBe('same inputs')
  })

  it('leaves out results (scores) and timesteps that only follow from the steps', () => {
    const scored = { ...base, scene_score: 0.8, aesthetic_score: 5.1 }
    expect(changeLabel(base, scored)).toBe('same inputs')
    expect(changeLabel(base, { ...base, steps: 8, timesteps: '999,874,749,624,499,374,249,124' })).toBe('steps 4 → 8')
    expect(changeLabel(base, { ...base, timesteps: '999,500' })).toBe('timesteps 999,749,499,249 → 999,500')
  })

  it('says a long prompt changed without quoting it, and caps the label at three changes', () => {
    expect(changeLabel(base, { ...base, prompt: 'a small red circle in the centre on a blue background' })).toBe('prompt changed')
    expect(changeLabel(base, { ...base, seed: 1, steps: 2, eta: 0, cfg: 2, timesteps: '999,499' })).toBe('seed 42 → 1 · steps 4 → 2 · eta 0.3 → 0 · +1 more')
  })
})

describe('parameterChanges', () => {
  it('lists added and removed inputs', () => {
    const { lora_1: _lora, ...withoutLora } = base
    const changes = parameterChanges(withoutLora, { ...withoutLora, negative_prompt: 'blurry' })
    expect(changes).toEqual([{ name: 'negative prompt', before: undefined, after: 'blurry' }])
    expect(changeText(changes[0]!)).toBe('negative prompt blurry')
    expect(changeText({ name: 'negative prompt', before: 'blurry', after: undefined })).toBe('no negative prompt')
    expect(parameterChanges(base, withoutLora)).toEqual([{ name: 'lora', before: 'hyper-shapes-4step', after: undefined }])
  })
})
