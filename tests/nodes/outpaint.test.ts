// Outpainting on the bundled shapes model (graphs/shapes-outpaint.json): the left 40 px of a picture padded to 64 px,
// the new area drawn, the old kept.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch, Latent, MaskBatch } from '../../nodes/types.js'
import { decodePng } from '../../src/graph/png.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const host = createTestHost()
afterAll(async () => host.dispose())
const source = decodePng(new Uint8Array(readFileSync(join(ROOT, 'public', 'input', 'shapes-outpaint.png'))))

describe('outpainting (Pad Image for Outpainting)', () => {
  it('pads the picture to the latent size, masks the new area, and completes the picture to the prompt', async () => {
    const result = await host.engine.run(withOverrides(shippedGraph('shapes-outpaint.json'), []))
    const padded = result.outputs.get('14')!.image as ImageBatch
    const mask = result.outputs.get('14')!.mask as MaskBatch
    expect([source.width, padded.width, padded.height]).toEqual([40, 64, 64])
    // Row 32: the picture kept up to its feathered edge, then repainted.
    const row = Array.from(mask.masks[0]!.slice(32 * 64, 33 * 64))
    expect(row.slice(0, 32).every((v) => v === 0)).toBe(true)
    expect(row.slice(40).every((v) => v === 1)).toBe(true)
    // Rounded, the mask starts at x = 38 (the ramp passes 0.5 two pixels from the edge); grown by an 8 px box it
    // starts at x = 35, so the latent cells read at x = 40, 48 and 56 are redrawn.
    const noise = (result.outputs.get('12')!.latent as Latent).noiseMask!.data
    expect(Array.from(noise.slice(4 * 8, 5 * 8))).toEqual([0, 0, 0, 0, 0, 1, 1, 1])
    expect(result.outputs.get('8')!.all_right).toBe(1)
    // The left of the picture (away from the seam) is the source's.
    const picture = (result.outputs.get('5')!.image as ImageBatch).images[0]!
    let diff = 0
    for (let y = 0; y < 64; y++) for (let x = 0; x < 24; x++) for (let c = 0; c < 3; c++) diff += Math.abs(picture[(y * 64 + x) * 4 + c]! - source.data[(y * 40 + x) * 4 + c]!)
    expect(diff / (64 * 24 * 3)).toBeLessThan(25)
  })
})
