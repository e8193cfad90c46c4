import { afterAll, describe, expect, it } from 'vitest'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const host = createTestHost()
afterAll(() => host.dispose())
const graph = shippedGraph('tiny-sd15-lora-4step.json')
const run = (overrides: string[]) => host.engine.run(withOverrides(graph, overrides))
const held = (fragment: string) => host.sessions.keys().filter((k) => k.includes(fragment))

describe('sessions a graph no longer uses are released', () => {
  it('frees the old LoRA build on a LoRA or mode switch, keeps it on a scale change, and keeps the text encoder throughout', async () => {
    await run([])
    const first = held('#lora(unet)')
    expect(first).toHaveLength(1)
    expect(first[0]).toContain('0:live:loras/tiny-hyper-sd15-4step-kohya.safetensors')
    expect(held('text_encoder')).toHaveLength(1)

    await run(['9.scale=0.5', '4.seed=7']) // live scale: same session
    expect(held('#lora(unet)')).toEqual(first)

    await run(['9.mode=live-delta'])
    expect(held('#lora(unet)')).toHaveLength(1)
    expect(held('#lora(unet)')[0]).toContain('0:live-delta:')

    await run(['9.lora=loras/tiny-hyper-sd15-peft.safetensors'])
    expect(held('#lora(unet)')).toHaveLength(1)
    expect(held('#lora(unet)')[0]).toContain('tiny-hyper-sd15-peft')
    expect(held('text_encoder')).toHaveLength(1)
  })

  it('frees every session of a pipeline once the graph loads another one', async () => {
    await run([])
    expect(held('tiny-sd15/')).not.toHaveLength(0)
    await run(['1.model=hyper-shapes', '9.lora=loras/hyper-shapes-4step.safetensors', '3.width=64', '3.height=64'])
    expect(held('tiny-sd15/')).toEqual([])
    expect(held('hyper-shapes/')).toHaveLength(3) // text encoder, UNet + LoRA, VAE decoder
  })
})
