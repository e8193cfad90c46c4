// Picking and repeating latents of a batch, as ComfyUI's Latent From Batch and Repeat Latent Batch do: the items keep
// their place in the batch (batch_index), so a picked item samples to the image it had in the batch.
import { int, output, socket } from '../src/engine/index.js'
import { defineHostNode } from './define.js'
import { repeatFloat32 } from './lib/concat.js'
import type { Latent, LatentNoiseMask, LatentPosterior } from './types.js'

/** Items `from` to `from + count` of a per-item array of `batch` items. */
function itemsOf(data: Float32Array, batch: number, from: number, count: number): Float32Array {
  const per = data.length / batch
  return data.slice(from * per, (from + count) * per)
}

/** One mask per latent of a batch of `batch`, as ComfyUI repeats a shorter stack of masks to the batch. */
function masksPerLatent(mask: LatentNoiseMask, batch: number): Float32Array {
  const plane = mask.data.length / mask.batch
  return repeatFloat32(mask.data, Math.ceil(batch / mask.batch)).slice(0, plane * batch)
}

function posteriorItems(posterior: LatentPosterior, batch: number, from: number, count: number): LatentPosterior {
  return { ...posterior, mean: itemsOf(posterior.mean, batch, from, count), std: itemsOf(posterior.std, batch, from, count) }
}

export const latentFromBatch = defineHostNode({
  type: 'LatentFromBatch',
  version: 1,
  displayName: 'Latent From Batch',
  category: 'latent',
  description:
    "Takes `length` latents from a batch, from `batch_index` on (both cut to the batch), as ComfyUI's Latent From Batch does. They keep their place in the batch: sampled from an empty latent with the same seed, item 2 of a batch of 4 gives the image it had in the batch, alone and faster, e.g. to redraw it with more steps.",
  inputs: {
    samples: socket('LATENT'),
    batch_index: int({ default: 0, min: 0, max: 63, description: 'The first latent taken (0 is the first of the batch).' }),
    length: int({ default: 1, min: 1, max: 64, description: 'How many latents to take.' }),
  },
  outputs: { latent: output('LATENT') },
  execute({ samples, batch_index, length }) {
    const [batch, c, h, w] = samples.dims
    const from = Math.min(batch - 1, batch_index)
    const count = Math.min(batch - from, length)
    const mask = samples.noiseMask
    // One mask for all stays one; one per latent is cut with them.
    const noiseMask: LatentNoiseMask | undefined = mask && mask.batch > 1 ? { data: itemsOf(masksPerLatent(mask, batch), batch, from, count), batch: count } : mask
    const posterior = samples.encoded?.posterior
    return {
      latent: {
        data: itemsOf(samples.data, batch, from, count),
        dims: [count, c, h, w],
        ...(samples.parameters ? { parameters: samples.parameters } : {}),
        ...(samples.encoded ? { encoded: posterior ? { ...samples.encoded, posterior: posteriorItems(posterior, batch, from, count) } : samples.encoded } : {}),
        ...(noiseMask ? { noiseMask } : {}),
        // Picked twice, an item keeps its first place.
        batchIndex: samples.batchIndex ? samples.batchIndex.slice(from, from + count) : Array.from({ length: count }, (_, i) => from + i),
        batchSize: samples.batchSize ?? batch,
      },
    }
  },
})

/** ComfyUI's batch_index after a repeat: each copy placed `offset` after the one before; the batch grows to hold them. */
function repeatedPlaces(places: readonly number[], offset: number, amount: number, size: number | undefined): Pick<Latent, 'batchIndex' | 'batchSize'> {
  const batchIndex = Array.from({ length: amount }, (_, i) => places.map((x) => x + i * offset)).flat()
  return { batchIndex, batchSize: Math.max(size ?? 0, Math.max(...batchIndex) + 1) }
}

export const repeatLatentBatch = defineHostNode({
  type: 'RepeatLatentBatch',
  version: 1,
  displayName: 'Repeat Latent Batch',
  category: 'latent',
  description:
    "The batch repeated `amount` times, as ComfyUI's Repeat Latent Batch does: an encoded image repeated gives one img2img variation per copy (each copy gets its own noise). Picked items (Latent From Batch) keep their places, the copies placed after them.",
  inputs: {
    samples: socket('LATENT'),
    amount: int({ default: 1, min: 1, max: 64, description: 'How many times the batch is repeated.' }),
  },
  outputs: { latent: output('LATENT') },
  execute({ samples, amount }) {
    const [batch, c, h, w] = samples.dims
    const mask = samples.noiseMask
    const posterior = samples.encoded?.posterior
    const places = samples.batchIndex
    const offset = places ? Math.max(...places) - Math.min(...places) + 1 : 0
    const latent: Latent = {
      data: repeatFloat32(samples.data, amount),
      dims: [batch * amount, c, h, w],
      ...(samples.parameters ? { parameters: samples.parameters } : {}),
      ...(samples.encoded ? { encoded: posterior ? { ...samples.encoded, posterior: { ...posterior, mean: repeatFloat32(posterior.mean, amount), std: repeatFloat32(posterior.std, amount) } } : samples.encoded } : {}),
      // One mask for all stays one; one per latent is repeated with them.
      ...(mask ? { noiseMask: mask.batch === 1 ? mask : { data: repeatFloat32(mask.data, amount), batch: mask.batch * amount } } : {}),
      ...(places ? repeatedPlaces(places, offset, amount, samples.batchSize) : {}),
    }
    return { latent }
  },
})
