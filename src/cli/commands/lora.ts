// `hypersd lora <file.safetensors> [--pipeline NAME] [--model NAME=PATH ...] [--all]`: which LoRA tensors match which layers of a pipeline.
import { resolve } from 'node:path'
import { decodeModel } from '../../models/onnx/codec.js'
import { requireGraph } from '../../models/onnx/graph.js'
import { NodeFileSource } from '../../models/node-files.js'
import { readPipelineFolder } from '../../models/pipeline.js'
import { readSafetensors } from '../../models/safetensors/reader.js'
import { findTargetLayers, formatLoraReport, matchLora, parseLoraKeys, type LoraComponent } from '../../lora/index.js'
import { many, rejectUnknown, single, UsageError, type ParsedArgs } from '../args.js'
import { createModelResolver, parseModelOverrides } from '../model-resolver.js'
import { defaultModelsRoot } from '../paths.js'

export async function loraCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['pipeline', 'model', 'models-dir', 'all', 'verbose'])
  const [loraPath, ...extra] = args.positionals
  if (!loraPath || extra.length > 0) throw new UsageError('usage: hypersd lora <file.safetensors> [--pipeline NAME] [--model NAME=PATH ...] [--all]')
  const resolver = createModelResolver(resolve(single(args, 'models-dir') ?? defaultModelsRoot()), parseModelOverrides(many(args, 'model')))
  const pipelineName = single(args, 'pipeline') ?? 'tiny-sd15'
  const files = new NodeFileSource('.')
  const pipeline = await readPipelineFolder(files, resolver.resolve(pipelineName))
  const lora = readSafetensors(await files.readBytes(resolver.resolve(loraPath)), loraPath)
  const parsed = parseLoraKeys(lora.tensors.keys())
  const targets: [LoraComponent, typeof pipeline.unet.model][] = [
    ['unet', pipeline.unet.model],
    ...pipeline.textEncoders.map((e): [LoraComponent, typeof e.model] => [e.role === 'primary' ? 'te1' : 'te2', e.model]),
  ]
  for (const [component, model] of targets) {
    const source = await model.load()
    const layers = findTargetLayers(requireGraph(decodeModel(source.bytes)))
    const { report } = await matchLora(loraPath, lora, parsed, component, layers)
    if (report.tensorsConsidered === 0) continue
    process.stdout.write(`${formatLoraReport(report, args.options.has('all') ? Number.POSITIVE_INFINITY : 10)}\n`)
  }
  return 0
}
