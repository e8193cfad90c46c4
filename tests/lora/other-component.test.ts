// A LoRA for other components only leaves a model untouched: the text encoder is not decoded and re-encoded for a
// UNet-only LoRA (Hyper-SD's), which cost seconds of the cold first image.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildModel } from '../../src/lora/session.js'
import { parseLoraKeys } from '../../src/lora/keys.js'
import { readSafetensors } from '../../src/models/safetensors/reader.js'

const LORA = 'loras/hyper-shapes-4step.safetensors'
const loraBytes = readFileSync(`public/models/${LORA}`)
const textEncoder = { key: 'hyper-shapes/text_encoder', bytes: new Uint8Array(readFileSync('public/models/hyper-shapes/text_encoder/model.onnx')) }
const unet = { key: 'hyper-shapes/unet', bytes: new Uint8Array(readFileSync('public/models/hyper-shapes/unet/model.onnx')) }
const deps = { readLora: async () => new Uint8Array(loraBytes) }

describe('LoRAs for another component', () => {
  it('the bundled Hyper-SD LoRA has UNet tensors only', () => {
    const parsed = parseLoraKeys(readSafetensors(new Uint8Array(loraBytes), LORA).tensors.keys())
    expect(parsed.unrecognised).toEqual([])
    expect(new Set(parsed.modules.map((m) => m.component))).toEqual(new Set(['unet']))
  })

  it('leave the text encoder as it is, in every mode, with no report', async () => {
    for (const mode of ['live', 'live-delta', 'merge'] as const) {
      const built = await buildModel(textEncoder, `te#${mode}`, [{ name: LORA, scale: 1, mode }], 'te1', deps)
      expect(built.source.bytes).toBe(textEncoder.bytes)
      expect(built.source.key).toBe(`te#${mode}`)
      expect(built.reports).toEqual([])
    }
  })

  it('still rebuild the component they are for', async () => {
    const built = await buildModel(unet, 'unet#merge', [{ name: LORA, scale: 1, mode: 'merge' }], 'unet', deps)
    expect(built.source.bytes).not.toBe(unet.bytes)
    expect(built.reports).toHaveLength(1)
    expect(built.reports[0]!.matchedTensors).toBeGreaterThan(0)
  })
})
