// Latent sources.
import { InputError, int, output } from '../src/engine/index.js'
import { defineHostNode } from './define.js'

export const emptyLatent = defineHostNode({
  type: 'EmptyLatent',
  version: 1,
  displayName: 'Empty Latent',
  category: 'latent',
  description: 'A zero latent of the given image size; the sampler fills it with seeded noise.',
  inputs: {
    width: int({ default: 512, min: 64, max: 4096, step: 8, multipleOf: 8, description: 'Image width in pixels (multiple of 8).' }),
    height: int({ default: 512, min: 64, max: 4096, step: 8, multipleOf: 8, description: 'Image height in pixels (multiple of 8).' }),
    batch: int({ default: 1, min: 1, max: 16, description: 'Images per run.' }),
  },
  warmUp: 'execute',
  outputs: { latent: output('LATENT') },
  execute({ width, height, batch }) {
    if (width % 8 !== 0) throw new InputError('width', `${width} is not a multiple of 8`)
    if (height % 8 !== 0) throw new InputError('height', `${height} is not a multiple of 8`)
    const dims = [batch, 4, height / 8, width / 8] as const
    return { latent: { data: new Float32Array(batch * 4 * (height / 8) * (width / 8)), dims } }
  },
})
