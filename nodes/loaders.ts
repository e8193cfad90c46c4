// Loading a diffusers/Optimum ONNX pipeline folder. Only configs and tokenizer texts are read here;
// each model file is read when a node first needs its session.
import { InputError, output, string } from '../src/engine/index.js'
import { readPipelineFolder } from '../src/models/pipeline.js'
import { defineHostNode } from './define.js'

export const loadPipeline = defineHostNode({
  type: 'LoadPipeline',
  version: 1,
  displayName: 'Load Pipeline',
  category: 'loaders',
  description:
    'Loads an SD1.5 or SDXL ONNX export (diffusers/Optimum folder layout: model_index.json, text_encoder/, unet/, vae_decoder/, tokenizer/, scheduler/). The name is resolved by the host: a folder under the models root, or --model NAME=PATH in the CLI.',
  inputs: {
    model: string({ default: 'tiny-sd15', path: 'folder', model: 'pipeline', description: 'Pipeline name or folder, e.g. "tiny-sd15".' }),
  },
  warmUp: 'execute',
  outputs: {
    unet: output('UNET'),
    clip: output('CLIP'),
    vae: output('VAE'),
  },
  async execute({ model }, ctx) {
    if (model.trim() === '') throw new InputError('model', 'no model name given')
    let folder
    try {
      folder = await readPipelineFolder(ctx.services.files, ctx.services.resolveModel(model))
    } catch (error) {
      throw new InputError('model', error instanceof Error ? error.message : String(error))
    }
    // In the order the run needs them: their fetches then overlap the sessions built before them (read-ahead.ts).
    for (const encoder of folder.textEncoders) encoder.model.readAhead()
    folder.unet.model.readAhead()
    folder.vaeDecoder.model.readAhead()
    return {
      unet: {
        variant: folder.variant,
        pipelineName: model,
        model: folder.unet.model,
        schedulerConfig: folder.schedulerConfig,
        inChannels: folder.unet.inChannels,
        vaeScaleFactor: folder.vaeDecoder.scaleFactor,
        latentMultiple: folder.unet.latentMultiple,
        needsTimeIds: folder.unet.additionEmbedType === 'text_time',
        forceZerosForEmptyPrompt: folder.forceZerosForEmptyPrompt,
        loras: [],
      },
      clip: {
        variant: folder.variant,
        pipelineName: model,
        encoders: folder.textEncoders.map((e) => ({ model: e.model, tokenizer: e.tokenizer, role: e.role })),
        loras: [],
      },
      vae: { pipelineName: model, decoder: folder.vaeDecoder.model, encoder: folder.vaeEncoder, scalingFactor: folder.vaeDecoder.scalingFactor },
    }
  },
})
