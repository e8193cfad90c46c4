// Reward scoring: the LAION aesthetic predictor on CLIP image embeddings, to score and compare few-step outputs.
// A CLIP score against the prompt (src/reward/vectors.ts clipScore) is not offered here: it needs the prompt's
// text_embeds in the image tower's joint space. SD1.5's text encoder is ViT-L/14's text tower but exported without
// text_projection (its pooler_output is not in that space), and SDXL's projected text_embeds are OpenCLIP bigG's.
import { InputError, output, RunCancelledError, socket, string, timingOutput } from '../src/engine/index.js'
import type { NodeContext } from '../src/engine/index.js'
import { aestheticScores, parseAestheticHead, type AestheticHead } from '../src/reward/aesthetic.js'
import { clipPixelValues } from '../src/reward/clip-preprocess.js'
import { isVitL14, readClipVisionFolder, type ClipVisionFolder } from '../src/reward/vision-folder.js'
import { defineHostNode } from './define.js'
import { float32, sessionFor } from './lib/run-model.js'
import type { ModelSession } from '../src/runtime/types.js'
import type { NodeServices } from './services.js'

// Parsed heads by location + content digest: a re-run on a new image does not decode 3.7 MB of weights again,
// and an edited file is never served stale.
const HEAD_CACHE_SIZE = 4
const heads = new Map<string, AestheticHead>()

/** SHA-256 where Web Crypto is available (Node, secure browser contexts), else two FNV-1a passes (cache key only). */
async function digest(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle
  if (subtle) {
    const hash = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
    return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')
  }
  let a = 0x811c9dc5
  let b = 0x01000193
  for (const v of bytes) {
    a = Math.imul(a ^ v, 0x01000193) >>> 0
    b = Math.imul(b ^ v, 0x100001b3) >>> 0
  }
  return `${bytes.byteLength}:${a.toString(16)}:${b.toString(16)}`
}

async function loadHead(ctx: NodeContext<NodeServices>, name: string): Promise<AestheticHead> {
  if (name.trim() === '') throw new InputError('head', 'no aesthetic head file given')
  const { files } = ctx.services
  const path = ctx.services.resolveModel(name)
  const location = files.describe(path)
  if (!(await files.exists(path))) throw new InputError('head', `${location}: file not found`)
  const bytes = await files.readBytes(path)
  const key = `${location}\u0000${await digest(bytes)}`
  let head = heads.get(key)
  if (head) heads.delete(key)
  else {
    try {
      head = parseAestheticHead(bytes, location)
    } catch (err) {
      throw new InputError('head', err instanceof Error ? err.message : String(err))
    }
  }
  heads.set(key, head)
  if (heads.size > HEAD_CACHE_SIZE) heads.delete(heads.keys().next().value!)
  return head
}

async function loadVisionModel(ctx: NodeContext<NodeServices>, name: string): Promise<ClipVisionFolder> {
  if (name.trim() === '') throw new InputError('vision_model', 'no CLIP vision model given')
  try {
    return await readClipVisionFolder(ctx.services.files, ctx.services.resolveModel(name))
  } catch (err) {
    throw new InputError('vision_model', err instanceof Error ? err.message : String(err))
  }
}

/** The tower's session, checked to take pixel_values and give image_embeds (CLIPVisionModelWithProjection). */
async function visionSession(ctx: NodeContext<NodeServices>, vision: ClipVisionFolder): Promise<ModelSession> {
  let session: ModelSession
  try {
    session = await sessionFor(ctx, vision.model)
  } catch (err) {
    if (err instanceof RunCancelledError) throw err
    const message = err instanceof Error ? err.message : String(err)
    throw new InputError('vision_model', message.includes(vision.location) ? message : `${vision.location}: ${message}`)
  }
  const inputs = session.inputs.map((i) => i.name)
  const outputs = session.outputs.map((o) => o.name)
  if (!inputs.includes('pixel_values') || !outputs.includes('image_embeds')) {
    throw new InputError(
      'vision_model',
      `${vision.location}: not a CLIP vision tower with projection (needs input "pixel_values" and output "image_embeds"; has inputs ${inputs.join(', ')} and outputs ${outputs.join(', ')})`,
    )
  }
  // A fixed-size export (real CLIP towers have fixed position embeddings) must match the crop of its preprocessor config.
  const [, , height, width] = session.inputs.find((i) => i.name === 'pixel_values')!.shape
  const { cropHeight, cropWidth } = vision.preprocess
  if ((typeof height === 'number' && height > 0 && height !== cropHeight) || (typeof width === 'number' && width > 0 && width !== cropWidth)) {
    throw new InputError('vision_model', `${vision.location}: pixel_values is ${height}x${width} but the preprocessor config crops ${cropHeight}x${cropWidth}`)
  }
  return session
}

export const aestheticScore = defineHostNode({
  type: 'AestheticScore',
  version: 1,
  displayName: 'Reward Score (aesthetic)',
  category: 'image',
  description:
    'Scores images with the LAION improved aesthetic predictor (roughly 1-10, higher is better) on CLIP ViT-L/14 image embeddings. The vision model is an Optimum CLIPVisionModelWithProjection export (model.onnx with pixel_values -> image_embeds, preprocessor_config.json); the bundled tiny-clip-vision is a random-weight test model whose scores carry no meaning. Outputs the batch mean, the per-image scores, and the images with aesthetic_score added to their parameters.',
  isOutput: true,
  inputs: {
    image: socket('IMAGE'),
    vision_model: string({
      default: 'tiny-clip-vision',
      path: 'folder',
      model: 'clip-vision',
      description: 'CLIP vision tower folder (or .onnx file); must give 768-dim image_embeds, i.e. ViT-L/14 for meaningful scores.',
    }),
    head: string({ default: 'aesthetic/aesthetic-mlp-l14.safetensors', path: 'file', model: 'aesthetic-head', description: 'Aesthetic MLP weights (safetensors).' }),
  },
  warmUp: {
    inputs: ['vision_model', 'head'],
    async load({ vision_model, head }, ctx) {
      await loadHead(ctx, head)
      await visionSession(ctx, await loadVisionModel(ctx, vision_model))
    },
  },
  outputs: {
    score: output('FLOAT', 'Mean aesthetic score over the batch.'),
    scores: output('STRING', 'Per-image scores, comma separated.'),
    image: output('IMAGE', 'The input images, with aesthetic_score in their parameters.'),
    ms_per_image: timingOutput('Milliseconds per image it took to make the scored images: the compute time of every node upstream (each measured when it last ran, so cached nodes count what they cost then), divided by the batch size.'),
  },
  async execute({ image, vision_model, head: headName }, ctx) {
    if (image.images.length === 0) throw new InputError('image', 'the image batch is empty')
    const head = await loadHead(ctx, headName)
    const vision = await loadVisionModel(ctx, vision_model)
    if (!isVitL14(vision)) {
      ctx.warn(`${vision.location} is not a CLIP ViT-L/14 vision model; the aesthetic head was trained on ViT-L/14 embeddings, so scores are not comparable to published ones`)
    }
    const session = await visionSession(ctx, vision)
    const scores: number[] = []
    for (const [n, rgba] of image.images.entries()) {
      ctx.checkCancelled()
      let pixels
      try {
        pixels = clipPixelValues([rgba], image.width, image.height, vision.preprocess)
      } catch (err) {
        throw new InputError('image', `image ${n}: ${err instanceof Error ? err.message : String(err)}`)
      }
      const embeds = float32('image_embeds', (await session.run({ pixel_values: { dtype: 'float32', ...pixels } }, ['image_embeds'])).image_embeds)
      if (embeds.length !== head.embedDim) {
        throw new InputError('vision_model', `${vision.location}: image_embeds has ${embeds.length} values, the head expects ${head.embedDim} (CLIP ViT-L/14)`)
      }
      scores.push(aestheticScores(head, embeds, 1)[0]!)
      ctx.progress(n + 1, image.images.length)
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length
    const summary = scores.map((s) => s.toFixed(4)).join(', ')
    const parameters = { ...image.parameters, aesthetic_score: Number(mean.toFixed(4)), ...(scores.length > 1 ? { aesthetic_scores: summary } : {}) }
    return { score: mean, scores: summary, image: { ...image, parameters }, ms_per_image: ctx.upstreamMs() / image.images.length }
  },
})
