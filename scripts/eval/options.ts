// `npm run eval -- [options]`: the shapes evaluation's command line.
import { resolve } from 'node:path'
import { many, parseArgs, rejectUnknown, single, UsageError } from '../../src/cli/args.js'
import { parseModelOverrides } from '../../src/cli/model-resolver.js'
import { defaultModelsRoot } from '../../src/cli/paths.js'

export const EVAL_USAGE = `usage: npm run eval -- [options]
  --captions N          the first N held-out captions of training/scenes.json (default: all)
  --seeds 0,1           seeds, each caption is sampled once per seed (default: 0,1)
  --out DIR             where the table, JSON, chart and grid go (default: docs/eval)
  --only a,b            only variants whose id (e.g. hyper-lora/4, unified-tcd-eta0.5) or LoRA name contains a part
  --cfg N               guidance of the teacher's DDIM runs (default: 2.5, as in graphs/shapes-teacher.json and the distillation)
  --grid-rows N         captions shown in the image grid (default: 8)
  --model NAME=PATH     point a model name at a file or folder (e.g. hyper-shapes=public/models/tiny-sd15)
  --models-dir DIR      root for model names (default: public/models)
  --lora-dir DIR        folder holding the hyper-shapes-*.safetensors LoRAs (default: MODELS-DIR/loras)`

export interface EvalOptions {
  readonly captions: number | undefined
  readonly seeds: readonly number[]
  readonly out: string
  readonly only: string | undefined
  readonly cfg: number
  readonly gridRows: number
  readonly modelsDir: string
  readonly loraDir: string | undefined
  readonly models: ReadonlyMap<string, string>
}

function number(name: string, text: string | undefined, fallback: number, check: (n: number) => boolean): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: "${text}" is not a valid value`)
  return n
}

export function parseEvalArgs(argv: readonly string[]): EvalOptions {
  const args = parseArgs(argv, new Set())
  rejectUnknown(args, ['captions', 'seeds', 'out', 'only', 'cfg', 'grid-rows', 'model', 'models-dir', 'lora-dir'])
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"\n${EVAL_USAGE}`)
  const captions = single(args, 'captions')
  const seeds = (single(args, 'seeds') ?? '0,1').split(',').map((s) => number('seeds', s.trim(), 0, (n) => Number.isSafeInteger(n) && n >= 0))
  const loraDir = single(args, 'lora-dir')
  return {
    captions: captions === undefined ? undefined : number('captions', captions, 0, (n) => Number.isInteger(n) && n > 0),
    seeds,
    out: resolve(single(args, 'out') ?? 'docs/eval'),
    only: single(args, 'only'),
    cfg: number('cfg', single(args, 'cfg'), 2.5, (n) => n > 1),
    gridRows: number('grid-rows', single(args, 'grid-rows'), 8, (n) => Number.isInteger(n) && n >= 0),
    modelsDir: resolve(single(args, 'models-dir') ?? defaultModelsRoot()),
    loraDir: loraDir === undefined ? undefined : resolve(loraDir),
    models: parseModelOverrides(many(args, 'model')),
  }
}
