// ComfyUI loader nodes. Checkpoints become our pipeline loader (an ONNX export folder); separately loaded UNets
// become UNet Weights over the workflow's pipeline; CLIP and VAE loaders become pipeline loaders of the pipeline they
// belong to (our loaders read whole folders, so what ComfyUI loaded on its own is reported); LoRA loaders our
// UNet + LoRA, chained twice when the model and CLIP strengths differ.
import { num, setIfDefined, str } from './comfyui-convert.js'
import type { ConvertContext, Converted, Converter, Inputs } from './comfyui-convert.js'
import type { GraphLink } from './schema.js'
import {
  checkpointPipeline,
  fileStem,
  HYPER_SDXL_UNET_WEIGHTS,
  isHyperSdxlUnet,
  isSingleFile,
  normalizePath,
  workflowCheckpoint,
  workflowPipeline,
} from './comfyui-model-names.js'

const quoted = (name: string): string => `"${name}"`

function loraName(ctx: ConvertContext): string | undefined {
  const name = str(ctx, 'lora_name')
  if (name === undefined) return undefined
  // ComfyUI names LoRAs relative to models/loras; our hosts resolve names relative to the models root.
  const lora = `loras/${normalizePath(name)}`
  ctx.warn(`LoRA "${name}" is looked up as "${lora}" in the models folder (CLI: --model ${lora}=PATH)`)
  return lora
}

/**
 * LoraLoader: one UNet + LoRA at strength_model. Where strength_clip differs and a CLIP is connected, the CLIP output
 * comes from a second UNet + LoRA (an extra node) at strength_clip, fed the same UNet and CLIP: its LoRA binding on
 * the text encoder is the one that counts (its UNet output is unused), so each part gets ComfyUI's own strength.
 */
const loraLoader: Converter = {
  outputs: ['unet', 'clip'],
  convert(ctx) {
    const unet = ctx.link('model')
    const clip = ctx.link('clip')
    const lora = loraName(ctx)
    const scale = num(ctx, 'strength_model')
    const clipScale = num(ctx, 'strength_clip')
    const split = clip !== undefined && clipScale !== undefined && scale !== undefined && clipScale !== scale
    const inputs = loraInputs(unet, split ? undefined : clip, lora, scale)
    if (!split) return { type: 'UNetLoRA', inputs }
    const clipNode = ctx.extraNodeId('clip')
    ctx.warn(`strength_clip ${clipScale} differs from strength_model ${scale}: the CLIP output comes from a second UNet + LoRA (node ${clipNode}) at scale ${clipScale}`)
    return {
      type: 'UNetLoRA',
      inputs,
      extraNodes: [{ suffix: 'clip', type: 'UNetLoRA', title: 'LoRA on the text encoder (strength_clip)', inputs: loraInputs(unet, clip, lora, clipScale) }],
      outputFrom: { clip: 'clip' },
    }
  },
}

/** UNet + LoRA inputs in their declared order, leaving out what the workflow does not give. */
function loraInputs(unet: GraphLink | undefined, clip: GraphLink | undefined, lora: string | undefined, scale: number | undefined): Inputs {
  const inputs: Inputs = {}
  setIfDefined(inputs, 'unet', unet)
  setIfDefined(inputs, 'clip', clip)
  setIfDefined(inputs, 'lora', lora)
  setIfDefined(inputs, 'scale', scale)
  return inputs
}

const loraModelOnly: Converter = {
  outputs: ['unet'],
  convert: (ctx) => ({ type: 'UNetLoRA', inputs: loraInputs(ctx.link('model'), undefined, loraName(ctx), num(ctx, 'strength_model')) }),
}

const checkpointLoader: Converter = {
  outputs: ['unet', 'clip', 'vae'],
  convert(ctx): Converted {
    const ckpt = str(ctx, 'ckpt_name')
    if (ckpt === undefined) return { type: 'LoadPipeline', inputs: {} }
    const pipeline = checkpointPipeline(ckpt)
    if (pipeline.unetWeights !== undefined) {
      const unetNode = ctx.extraNodeId('unet')
      ctx.warn(
        `checkpoint "${ckpt}" is SDXL with the Hyper-SDXL 1-step UNet: loaded as pipeline "${pipeline.model}" whose UNet weights are replaced by "${pipeline.unetWeights}" (the same UNet in the diffusers layout) in node ${unetNode}`,
      )
      return {
        type: 'LoadPipeline',
        inputs: { model: pipeline.model },
        extraNodes: [{ suffix: 'unet', type: 'UNetWeights', title: 'Hyper-SDXL 1-step UNet', inputs: { unet: { from: [ctx.node.id, 'unet'] }, weights: pipeline.unetWeights } }],
        outputFrom: { unet: 'unet' },
      }
    }
    if (isSingleFile(ckpt)) {
      ctx.warn(`checkpoint "${ckpt}" is a single-file checkpoint; "${pipeline.model}" must name an ONNX export folder (CLI: --model ${pipeline.model}=PATH)`)
    }
    return { type: 'LoadPipeline', inputs: { model: pipeline.model } }
  },
}

const WEIGHT_DTYPES_AS_FILE = new Set(['default'])

/**
 * UNETLoader: a UNet file over the workflow's pipeline. With a checkpoint loader in the workflow, a UNet Weights node
 * fed by its UNet; the Hyper-SDXL 1-step UNet without one, UNet Weights over SDXL base (an extra pipeline loader);
 * any other UNet without a checkpoint, the pipeline named after the file.
 */
const unetLoader: Converter = {
  outputs: ['unet'],
  convert(ctx): Converted {
    const name = str(ctx, 'unet_name')
    const dtype = str(ctx, 'weight_dtype')
    if (dtype !== undefined && !WEIGHT_DTYPES_AS_FILE.has(dtype)) ctx.warn(`weight_dtype "${dtype}" has no equivalent; the weights run in the pipeline's own precision`)
    if (name === undefined) return { type: 'UNetWeights', inputs: {} }
    const hyper = isHyperSdxlUnet(name)
    const weights = hyper ? HYPER_SDXL_UNET_WEIGHTS : `unet/${normalizePath(name)}`
    const checkpoint = workflowCheckpoint(ctx.document)
    const mapping = hyper
      ? `UNet "${name}" is the Hyper-SDXL 1-step UNet: read as "${weights}", the same UNet in the diffusers layout that UNet Weights needs`
      : `UNet "${name}" is looked up as "${weights}" in the models folder and must be a diffusers-layout UNet state dict (CLI: --model ${weights}=PATH)`
    if (checkpoint) {
      ctx.warn(`${mapping}; it replaces the UNet weights of node ${checkpoint.id}'s pipeline`)
      return { type: 'UNetWeights', inputs: { unet: { from: [checkpoint.id, 'unet'] }, weights } }
    }
    const pipeline = workflowPipeline(ctx.document)
    if (!hyper && pipeline === undefined) {
      const model = fileStem(name)
      ctx.warn(`UNet "${name}" was loaded on its own in ComfyUI; here it is the UNet of pipeline "${model}", an ONNX export folder (CLI: --model ${model}=PATH)`)
      return { type: 'LoadPipeline', inputs: { model } }
    }
    const model = pipeline?.model ?? fileStem(name)
    const pipelineNode = ctx.extraNodeId('pipeline')
    ctx.warn(`${mapping}; it replaces the UNet weights of pipeline "${model}" (node ${pipelineNode})`)
    return {
      type: 'UNetWeights',
      inputs: { unet: { from: [pipelineNode, 'unet'] }, weights },
      extraNodes: [{ suffix: 'pipeline', type: 'LoadPipeline', title: 'Pipeline for the UNet', inputs: { model } }],
    }
  },
}

/**
 * CLIP and VAE loaders: a pipeline loader of the workflow's pipeline (else named after the first file), whose text
 * encoders or VAE decoder stand in for the files ComfyUI loaded on their own; the report says so.
 */
function partLoader(part: 'text encoders' | 'VAE decoder', output: 'clip' | 'vae', files: readonly string[], types?: { readonly widget: string; readonly supported: ReadonlySet<string> }): Converter {
  return {
    outputs: [output],
    convert(ctx): Converted {
      const names = files.flatMap((widget) => {
        const value = str(ctx, widget)
        return value === undefined ? [] : [value]
      })
      const type = types ? str(ctx, types.widget) : undefined
      if (types && type !== undefined && !types.supported.has(type)) {
        ctx.warn(`type "${type}" is not an SD1.5 or SDXL text encoder, which is all our pipelines hold`)
      }
      const pipeline = workflowPipeline(ctx.document)
      const model = pipeline?.model ?? (names[0] !== undefined ? fileStem(names[0]) : undefined)
      if (model === undefined) return { type: 'LoadPipeline', inputs: {} }
      const where = !pipeline
        ? `, an ONNX export folder (CLI: --model ${model}=PATH)`
        : pipeline.node.id === ctx.node.id
          ? ' (SDXL base, as the type is sdxl)'
          : ` (the workflow's pipeline, from node ${pipeline.node.id})`
      const loaded = names.length === 1 ? `${quoted(names[0]!)} was loaded on its own` : `${names.map(quoted).join(' + ')} were loaded on their own`
      ctx.warn(`${loaded} in ComfyUI; our loaders read whole pipeline folders, so the ${part} of pipeline "${model}"${where} ${part === 'VAE decoder' ? 'is' : 'are'} used instead`)
      return { type: 'LoadPipeline', inputs: { model } }
    },
  }
}

export const LOADER_CONVERTERS: Readonly<Record<string, Converter>> = {
  CheckpointLoaderSimple: checkpointLoader,
  UNETLoader: unetLoader,
  CLIPLoader: partLoader('text encoders', 'clip', ['clip_name'], { widget: 'type', supported: new Set(['stable_diffusion']) }),
  DualCLIPLoader: partLoader('text encoders', 'clip', ['clip_name1', 'clip_name2'], { widget: 'type', supported: new Set(['sdxl']) }),
  VAELoader: partLoader('VAE decoder', 'vae', ['vae_name']),
  LoraLoader: loraLoader,
  LoraLoaderModelOnly: loraModelOnly,
}
