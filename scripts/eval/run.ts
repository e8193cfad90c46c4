// The shapes evaluation: every variant on the held-out captions at fixed seeds, through the real engine and the
// shipped shapes graphs on onnxruntime-node; writes the accuracy table (Markdown + JSON), a chart and a grid.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, join, relative } from 'node:path'
import { nodeDefinitions } from '../../nodes/index.js'
import { UsageError } from '../../src/cli/args.js'
import { createCliHost } from '../../src/cli/host.js'
import { createModelResolver } from '../../src/cli/model-resolver.js'
import { projectRoot } from '../../src/cli/paths.js'
import { Engine, NodeRegistry } from '../../src/engine/index.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { formatCaption, sceneDomain, type SceneScore } from '../../src/scene/index.js'
import { SHAPES_MODEL } from '../graph-templates.js'
import { drawChart } from './chart.js'
import { drawGrid, type GridCell } from './grid.js'
import type { EvalOptions } from './options.js'
import { renderSample } from './sample.js'
import { markdownTable, tally, type VariantResult } from './tally.js'
import { evalVariants, filterVariants, variantId, type EvalVariant } from './variants.js'

export const EVAL_FILES = { markdown: 'shapes-eval.md', json: 'shapes-eval.json', chart: 'shapes-eval-chart.png', grid: 'shapes-eval-grid.png' } as const

export interface EvalOutcome {
  readonly results: readonly VariantResult[]
  readonly skipped: readonly { readonly id: string; readonly reason: string }[]
  readonly files: readonly string[]
}

interface SampleRecord {
  readonly variant: string
  readonly caption: string
  readonly seed: number
  readonly allRight: boolean
  readonly measured: Readonly<Record<string, string | null>>
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`

/** `--lora-dir`: each variant's LoRA name points at the file of the same name in that folder (unless --model says otherwise). */
function withLoraDir(options: EvalOptions, variants: readonly EvalVariant[]): Map<string, string> {
  const overrides = new Map(options.models)
  if (options.loraDir) for (const v of variants) if (v.lora && !overrides.has(v.lora)) overrides.set(v.lora, join(options.loraDir, basename(v.lora)))
  return overrides
}

export async function runShapesEval(options: EvalOptions, log: (line: string) => void): Promise<EvalOutcome> {
  const captions = sceneDomain().heldOut.slice(0, options.captions).map((scene) => formatCaption(scene))
  const variants = filterVariants(evalVariants({ cfg: options.cfg }), options.only)
  if (variants.length === 0) throw new UsageError(`--only "${options.only}" matches no variant (ids: ${evalVariants({ cfg: options.cfg }).map(variantId).join(', ')})`)
  const resolver = createModelResolver(options.modelsDir, withLoraDir(options, variants))
  const modelPath = resolver.resolve(SHAPES_MODEL)
  if (!existsSync(join(modelPath, 'model_index.json'))) {
    throw new UsageError(`the ${SHAPES_MODEL} model is not at ${modelPath} (export it there, or pass --model ${SHAPES_MODEL}=PATH)`)
  }
  const skipped: { id: string; reason: string }[] = []
  const runnable = variants.filter((v) => {
    if (!v.lora || existsSync(resolver.resolve(v.lora))) return true
    skipped.push({ id: variantId(v), reason: `${v.lora} not found (${resolver.resolve(v.lora)})` })
    return false
  })
  // One note per missing file, not per step count.
  for (const reason of new Set(skipped.map((s) => s.reason))) log(`skip ${skipped.filter((s) => s.reason === reason).map((s) => s.id).join(', ')}: ${reason}`)
  log(`${runnable.length} variants x ${captions.length} captions x ${options.seeds.length} seeds on ${modelPath}`)

  const registry = new NodeRegistry(nodeDefinitions)
  const host = createCliHost({ resolver, onImages: () => [] })
  const engine = new Engine({ registry, services: host.services })
  const graphs = new Map<string, GraphFile>()
  const graphFor = (file: string) => graphs.get(file) ?? graphs.set(file, parseGraphFile(readFileSync(join(projectRoot(), 'graphs', file), 'utf8'), file)).get(file)!
  const results: VariantResult[] = []
  const samples: SampleRecord[] = []
  const gridRows = Math.min(options.gridRows, captions.length)
  const cells: (GridCell | undefined)[][] = Array.from({ length: gridRows }, () => [])
  try {
    for (const [i, variant] of runnable.entries()) {
      const started = performance.now()
      const scores: SceneScore[] = []
      const total = captions.length * options.seeds.length
      for (const [c, caption] of captions.entries()) {
        for (const seed of options.seeds) {
          const { image, score } = await renderSample(engine, registry, graphFor(variant.graph), variant, caption, seed)
          scores.push(score)
          samples.push({
            variant: variantId(variant),
            caption,
            seed,
            allRight: score.allRight,
            measured: Object.fromEntries(score.results.map((r) => [r.attribute, r.measured])),
          })
          if (c < gridRows && seed === options.seeds[0]) cells[c]![i] = { rgba: image.images[0]!, width: image.width, height: image.height, allRight: score.allRight }
          if (scores.length % 16 === 0 && scores.length < total) log(`  ${variantId(variant)}: ${scores.length}/${total}`)
        }
      }
      const result = tally(variant, scores)
      results.push(result)
      log(`[${i + 1}/${runnable.length}] ${result.id} (${variant.label}): all right ${percent(result.allRight)}, mean ${result.meanScore.toFixed(3)} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    }
  } finally {
    await host.dispose()
  }

  await mkdir(options.out, { recursive: true })
  const path = (name: string) => join(options.out, name)
  const gridCaptions = captions.slice(0, gridRows)
  const json = { captions: captions.length, seeds: options.seeds, cfg: options.cfg, model: relative(projectRoot(), modelPath), results, skipped, samples }
  await writeFile(path(EVAL_FILES.json), `${JSON.stringify(json, null, 1)}\n`)
  await writeFile(path(EVAL_FILES.chart), drawChart(results).png())
  await writeFile(path(EVAL_FILES.grid), drawGrid(runnable.map(variantId), cells).png())
  await writeFile(path(EVAL_FILES.markdown), markdownReport(options, captions.length, relative(projectRoot(), modelPath), results, skipped, gridCaptions))
  return { results, skipped, files: Object.values(EVAL_FILES).map(path) }
}

function markdownReport(options: EvalOptions, captions: number, model: string, results: readonly VariantResult[], skipped: EvalOutcome['skipped'], gridCaptions: readonly string[]): string {
  return [
    '# Shapes evaluation',
    '',
    `Held-out captions: ${captions} of ${sceneDomain().heldOut.length} (training/scenes.json \`heldOut\`, full captions); seeds ${options.seeds.join(', ')}; model \`${model}\`. ` +
      'Each image is scored by the analytic scene measurement (src/scene): an attribute is right when the measured value is the caption\'s, "all right" when all five are. ' +
      'Written by `npm run eval`.',
    '',
    markdownTable(results),
    '',
    ...(skipped.length > 0 ? ['Skipped (LoRA file missing):', '', ...skipped.map((s) => `- ${s.id}: ${s.reason}`), ''] : []),
    `![All-right accuracy against steps](${EVAL_FILES.chart})`,
    '',
    `![Samples: rows are captions, columns variants; a green bar means all right](${EVAL_FILES.grid})`,
    '',
    `Grid rows (seed ${options.seeds[0]}):`,
    '',
    ...gridCaptions.map((c, i) => `${i + 1}. ${c}`),
    '',
  ].join('\n')
}
