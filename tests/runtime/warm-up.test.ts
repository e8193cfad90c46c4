import { afterAll, describe, expect, it } from 'vitest'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

// A warm-up on real onnxruntime sessions: what it loads is what the run then uses, and the image is the same.
const warmed = createTestHost()
const cold = createTestHost()
afterAll(() => {
  warmed.dispose()
  cold.dispose()
})
const graph = withOverrides(shippedGraph('tiny-sd15-lora-4step.json'), [])

describe('warming up a graph before its first run', () => {
  it('builds every session the run needs (text encoder, UNet with its live LoRA, VAE decoder), and the run builds none', async () => {
    const result = await warmed.engine.warmUp(graph)
    const types = (ids: readonly string[]) => ids.map((id) => graph.nodes.find((n) => n.id === id)!.type)
    expect(types(result.executed)).toEqual(expect.arrayContaining(['LoadPipeline', 'UNetLoRA', 'CLIPTextEncode', 'EmptyLatent']))
    expect(types(result.loaded).sort()).toEqual(['TSCDSampler', 'VAEDecode'])
    const afterWarmUp = warmed.sessions.keys().sort()
    expect(afterWarmUp.some((k) => k.includes('#lora(unet)[0:live:'))).toBe(true)
    expect(afterWarmUp.some((k) => k.includes('text_encoder'))).toBe(true)
    expect(afterWarmUp.some((k) => k.includes('vae_decoder'))).toBe(true)

    const run = await warmed.engine.run(graph)
    expect(types(run.nodesCached)).toEqual(expect.arrayContaining(['LoadPipeline', 'UNetLoRA', 'CLIPTextEncode']))
    expect(warmed.sessions.keys().sort()).toEqual(afterWarmUp)
  })

  it('builds the VAE encoder\'s session for an img2img graph, and that run builds none', async () => {
    const host = createTestHost()
    try {
      const img2img = withOverrides(shippedGraph('shapes-img2img.json'), [])
      const result = await host.engine.warmUp(img2img)
      expect(result.loaded.map((id) => img2img.nodes.find((n) => n.id === id)!.type)).toContain('VAEEncode')
      const afterWarmUp = host.sessions.keys().sort()
      expect(afterWarmUp.some((k) => k.includes('vae_encoder'))).toBe(true)
      await host.engine.run(img2img)
      expect(host.sessions.keys().sort()).toEqual(afterWarmUp)
    } finally {
      await host.dispose()
    }
  })

  it('gives the image a run without warm-up gives, byte for byte', async () => {
    await cold.engine.run(graph)
    expect(warmed.images).toHaveLength(1)
    expect(cold.images).toHaveLength(1)
    expect(Buffer.from(warmed.images[0]!.pngs[0]!).equals(Buffer.from(cold.images[0]!.pngs[0]!))).toBe(true)
  })

  it('after a LoRA switch, the run releases the session the warm-up built and it no longer needs', async () => {
    const host = createTestHost()
    try {
      await host.engine.warmUp(graph)
      const live = host.sessions.keys().filter((k) => k.includes('#lora(unet)'))
      await host.engine.run(withOverrides(shippedGraph('tiny-sd15-lora-4step.json'), ['9.mode=live-delta']))
      const after = host.sessions.keys().filter((k) => k.includes('#lora(unet)'))
      expect(after).toHaveLength(1)
      expect(after).not.toEqual(live)
    } finally {
      host.dispose()
    }
  })
})
