// VAE decoding: latent -> RGB images.
import { InputError, output, socket } from '../src/engine/index.js'
import { decodedToRgba } from '../src/imaging/decoded-image.js'
import { defineHostNode } from './define.js'
import { float32, runModel } from './lib/run-model.js'

export const vaeDecode = defineHostNode({
  type: 'VAEDecode',
  version: 1,
  displayName: 'VAE Decode',
  category: 'latent',
  description: 'Decodes latents into images with the pipeline\'s VAE decoder (latents are divided by its scaling factor first).',
  inputs: { vae: socket('VAE'), latent: socket('LATENT') },
  outputs: { image: output('IMAGE') },
  async execute({ vae, latent }, ctx) {
    const [batch, channels, h, w] = latent.dims
    if (channels !== 4) throw new InputError('latent', `expected 4 latent channels, got ${channels}`)
    const plane = channels * h * w
    const images: Uint8ClampedArray[] = []
    let size = { width: w * 8, height: h * 8 }
    // One image at a time keeps peak memory flat for large batches, as diffusers' sliced decoding does.
    for (let n = 0; n < batch; n++) {
      ctx.checkCancelled()
      const scaled = new Float32Array(plane)
      const src = latent.data.subarray(n * plane, (n + 1) * plane)
      for (let i = 0; i < plane; i++) scaled[i] = src[i]! / vae.scalingFactor
      const out = await runModel(ctx, vae.decoder, { latent_sample: { dtype: 'float32', dims: [1, channels, h, w], data: scaled } })
      const sample = out.sample
      const decoded = decodedToRgba(float32('sample', sample), sample!.dims)
      size = { width: decoded.width, height: decoded.height }
      images.push(...decoded.images)
      ctx.progress(n + 1, batch)
    }
    return { image: { ...size, images, parameters: latent.parameters ?? {} } }
  },
})
