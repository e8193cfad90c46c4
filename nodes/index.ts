// Every node type the product ships. Hosts build their registry from this list.
import type { AnyNodeDefinition } from '../src/engine/index.js'
import { previewImage, saveImage } from './image.js'
import { emptyLatent } from './latent.js'
import { latentUpscale, latentUpscaleBy } from './latent-upscale.js'
import { latentFromBatch, repeatLatentBatch } from './latent-batch.js'
import { imagePadForOutpaint } from './image-pad.js'
import { imageScale, imageScaleBy } from './image-scale.js'
import { loadImage } from './load-image.js'
import { loadPipeline } from './loaders.js'
import { vaeEncodeForInpaint } from './inpaint-encode.js'
import { growMaskNode, invertMaskNode, loadImageMask, setLatentNoiseMask } from './mask.js'
import { unetLora } from './lora.js'
import { note } from './note.js'
import { aestheticScore } from './reward.js'
import { tscdSampler } from './sampler.js'
import { sceneScore } from './scene.js'
import { clipTextEncode } from './text.js'
import { conditioningAverage, conditioningConcat, conditioningZeroOut } from './conditioning.js'
import { unetWeights } from './unet-weights.js'
import { vaeDecode } from './vae.js'
import { vaeEncode } from './vae-encode.js'

export const nodeDefinitions: readonly AnyNodeDefinition[] = [
  loadPipeline,
  unetWeights,
  unetLora,
  clipTextEncode,
  conditioningAverage,
  conditioningConcat,
  conditioningZeroOut,
  emptyLatent,
  loadImage,
  loadImageMask,
  imageScale,
  imageScaleBy,
  imagePadForOutpaint,
  vaeEncode,
  vaeEncodeForInpaint,
  invertMaskNode,
  growMaskNode,
  setLatentNoiseMask,
  latentUpscale,
  latentUpscaleBy,
  latentFromBatch,
  repeatLatentBatch,
  tscdSampler,
  vaeDecode,
  saveImage,
  previewImage,
  aestheticScore,
  sceneScore,
  note,
]

export type { NodeServices } from './services.js'
