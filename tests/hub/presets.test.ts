// The Hyper-SD presets name real files and open graphs that use exactly those names.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hyperSdPresets, hubFileName } from '../../src/hub/presets.js'
import { parseGraphFile } from '../../src/graph/parse.js'

const graphOf = (file: string) => parseGraphFile(readFileSync(join(import.meta.dirname, '../../graphs', file), 'utf8'), file)

describe('Hyper-SD presets', () => {
  it('cover SD1.5 N-step, CFG and unified, SDXL N-step, CFG and unified, and the SDXL 1-step UNet', () => {
    expect(hyperSdPresets().map((p) => p.file.path).sort()).toEqual(
      [
        'Hyper-SD15-1step-lora.safetensors',
        'Hyper-SD15-2steps-lora.safetensors',
        'Hyper-SD15-4steps-lora.safetensors',
        'Hyper-SD15-8steps-lora.safetensors',
        'Hyper-SD15-8steps-CFG-lora.safetensors',
        'Hyper-SDXL-1step-Unet.safetensors',
        'Hyper-SDXL-1step-lora.safetensors',
        'Hyper-SDXL-2steps-lora.safetensors',
        'Hyper-SDXL-4steps-lora.safetensors',
        'Hyper-SDXL-8steps-lora.safetensors',
        'Hyper-SDXL-8steps-CFG-lora.safetensors',
      ].sort(),
    )
    for (const preset of hyperSdPresets()) expect(preset.sources.every((s) => s.startsWith('https://huggingface.co/'))).toBe(true)
  })

  it.each(hyperSdPresets().filter((p) => p.file.path.includes('-lora')).map((p) => [p.id, p] as const))('%s: its graph loads the base repository and the LoRA by their Hub names', (_id, preset) => {
    const graph = graphOf(preset.graph)
    const inputs = (type: string) => graph.nodes.filter((n) => n.type === type).map((n) => n.inputs)
    expect(inputs('LoadPipeline')).toEqual([expect.objectContaining({ model: preset.base.repo })])
    expect(inputs('UNetLoRA')).toEqual([expect.objectContaining({ lora: hubFileName(preset.file) })])
  })
})
