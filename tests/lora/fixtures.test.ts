// The shipped LoRA fixtures are what `npm run models` writes, byte for byte, and have the advertised formats.
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KOHYA_FIXTURE, PEFT_FIXTURE, writeLoraFixtures } from '../../scripts/models/lora-fixtures.js'
import { parseLoraKeys } from '../../src/lora/keys.js'
import { readSafetensors } from '../../src/models/safetensors/reader.js'

const shipped = (name: string) => readFileSync(join('public/models', name))

describe('LoRA fixtures', () => {
  it('regenerate byte for byte from the tiny models', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lora-fixtures-'))
    symlinkSync(resolve('public/models/tiny-sd15'), join(root, 'tiny-sd15'))
    await writeLoraFixtures(root)
    for (const name of [KOHYA_FIXTURE, PEFT_FIXTURE]) {
      expect(Buffer.compare(readFileSync(join(root, name)), shipped(name)), name).toBe(0)
    }
  })

  it('kohya fixture: fp16 LoCon-style UNet modules with alpha, plus text-encoder modules', () => {
    const file = readSafetensors(shipped(KOHYA_FIXTURE))
    expect(new Set([...file.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['F16']))
    const { modules, unrecognised } = parseLoraKeys(file.tensors.keys())
    expect(unrecognised).toEqual([])
    const unet = modules.filter((m) => m.component === 'unet')
    expect(unet).toHaveLength(114)
    expect(modules.filter((m) => m.component === 'te1')).toHaveLength(12)
    expect(modules.every((m) => m.alpha && m.down && m.up)).toBe(true)
    expect(file.floats(unet[0]!.alpha!).data[0]).toBe(2)
    const conv3x3 = file.tensors.get('lora_unet_down_blocks_0_resnets_0_conv1.lora_down.weight')!
    expect(conv3x3.shape).toEqual([4, 32, 3, 3])
    expect(file.metadata.get('ss_network_dim')).toBe('4')
  })

  it('PEFT fixture: fp32 attention modules, lora_A / lora_B, no alpha', () => {
    const file = readSafetensors(shipped(PEFT_FIXTURE))
    const { modules } = parseLoraKeys(file.tensors.keys())
    // 7 transformer blocks (2 down, 1 mid, 4 up) x attn1/attn2 x to_q, to_k, to_v, to_out.0
    expect(modules).toHaveLength(7 * 8)
    expect(modules.every((m) => m.component === 'unet' && m.alpha === undefined && /to_(q|k|v|out_0)$/.test(m.target))).toBe(true)
    expect(file.tensors.get('unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_k.lora_A.weight')!.shape).toEqual([2, 16])
  })
})
