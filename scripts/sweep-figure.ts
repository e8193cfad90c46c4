// `npm run figure:sweep`: the README figure "SceneScore against steps". Three families of the bundled shapes model
// go through the sweep API (steps x held-out captions, 2 seeds, one engine per family so its cache carries): the
// teacher with DDIM trailing and CFG 2.5 (its graph's), each N-step LoRA at its own N, and the unified LoRA with TCD (eta 0.5).
// Writes one Vega-Lite chart (mean Scene Score against steps, a line per family, a mean +- std band over captions x
// seeds) as SVG, and a Markdown table of the means (also printed).
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { TopLevelSpec } from 'vega-lite'
import { nodeDefinitions } from '../nodes/index.js'
import { parseArgs, rejectUnknown, single, UsageError } from '../src/cli/args.js'
import { createCliHost } from '../src/cli/host.js'
import { createModelResolver } from '../src/cli/model-resolver.js'
import { defaultModelsRoot, projectRoot } from '../src/cli/paths.js'
import { Engine, NodeRegistry } from '../src/engine/index.js'
import { applyOverrides } from '../src/graph/exec.js'
import { parseGraphFile } from '../src/graph/parse.js'
import { formatCaption, sceneDomain } from '../src/scene/index.js'
import { createSweepDefinition, MemoryCellStore, renderChartSvg, runSweep } from '../src/sweep/index.js'

const USAGE = 'usage: npm run figure:sweep -- [--captions N (default 8)] [--seeds N (default 2: seeds 0, 1)] [--out DIR (default docs/figures)]'
const FILE = 'scenescore-vs-steps'
/** Node ids of the shapes graphs (scripts/graph-templates.ts): prompt, sampler, Scene Score. */
const PROMPT = '2'
const SAMPLER = '4'
const SCORER = 'Scene Score'
const ATTRIBUTES = ['size', 'colour', 'shape', 'position', 'background'] as const

interface Family {
  readonly name: string
  /** Each graph with the step counts it is swept over. */
  readonly runs: readonly { readonly graph: string; readonly steps: readonly number[] }[]
}

const FAMILIES: readonly Family[] = [
  { name: 'teacher, DDIM trailing, CFG 2.5', runs: [{ graph: 'shapes-teacher.json', steps: [1, 2, 4, 8] }] },
  { name: 'N-step LoRAs, DDIM trailing', runs: [1, 2, 4, 8].map((n) => ({ graph: `shapes-${n}step.json`, steps: [n] })) },
  { name: 'unified LoRA, TCD eta 0.5', runs: [{ graph: 'shapes-unified-tcd.json', steps: [1, 2, 4, 8] }] },
]

interface Sample {
  readonly family: string
  readonly steps: number
  readonly scores: Readonly<Record<string, number>>
}

interface Summary {
  readonly family: string
  readonly steps: number
  readonly n: number
  readonly mean: number
  readonly std: number
  readonly allRight: number
  readonly attributes: readonly number[]
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

function summarise(samples: readonly Sample[]): Summary[] {
  const groups = new Map<string, Sample[]>()
  for (const s of samples) {
    const key = `${s.family}\u0000${s.steps}`
    groups.set(key, [...(groups.get(key) ?? []), s])
  }
  return [...groups.values()].map((group) => {
    const { family, steps } = group[0]!
    const measure = (name: string) => group.map((s) => {
      const value = s.scores[`${SCORER}.${name}`]
      if (value === undefined) throw new Error(`${family}, ${steps} steps: the cell has no "${SCORER}.${name}" output`)
      return value
    })
    const scores = measure('score')
    const m = mean(scores)
    return {
      family, steps, n: group.length, mean: m,
      std: Math.sqrt(mean(scores.map((x) => (x - m) ** 2))),
      allRight: mean(measure('all_right')),
      attributes: ATTRIBUTES.map((a) => mean(measure(a))),
    }
  })
}

function markdownTable(summaries: readonly Summary[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`
  return [
    `| family | steps | images | Scene Score mean | std | all right | ${ATTRIBUTES.join(' | ')} |`,
    `|---|---|---|---|---|---|${ATTRIBUTES.map(() => '---|').join('')}`,
    ...summaries.map((s) => `| ${s.family} | ${s.steps} | ${s.n} | ${s.mean.toFixed(3)} | ${s.std.toFixed(3)} | ${pct(s.allRight)} | ${s.attributes.map(pct).join(' | ')} |`),
  ].join('\n')
}

function chart(summaries: readonly Summary[], captions: number, seeds: number): TopLevelSpec {
  const x = { field: 'steps', type: 'quantitative' as const, title: 'sampling steps', scale: { type: 'log' as const, base: 2 }, axis: { values: [1, 2, 4, 8], format: 'd' } }
  const legend = { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 0, symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2 }
  const color = { field: 'family', type: 'nominal' as const, title: null, sort: FAMILIES.map((f) => f.name), legend }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Scene Score against steps, bundled shapes model', subtitle: `line: mean over ${captions} held-out captions x ${seeds} seeds; band: mean ± std` },
    // White, not transparent: the README is also read in dark mode.
    background: 'white',
    width: 420,
    height: 260,
    data: { values: summaries.map((s) => ({ family: s.family, steps: s.steps, mean: s.mean, low: Math.max(0, s.mean - s.std), high: Math.min(1, s.mean + s.std) })) },
    layer: [
      { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color } },
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'Scene Score (0..1)', scale: { domain: [0, 1] } }, color } },
    ],
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, new Set())
  rejectUnknown(args, ['captions', 'seeds', 'out'])
  const count = (name: string, fallback: number) => {
    const text = single(args, name)
    const n = text === undefined ? fallback : Number(text)
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name}: "${text}" is not a whole number of at least 1\n${USAGE}`)
    return n
  }
  const captions = sceneDomain().heldOut.slice(0, count('captions', 8)).map((scene) => formatCaption(scene))
  const seeds = count('seeds', 2)
  const out = resolve(single(args, 'out') ?? join(projectRoot(), 'docs', 'figures'))

  const registry = new NodeRegistry(nodeDefinitions)
  const host = createCliHost({ resolver: createModelResolver(defaultModelsRoot(), new Map()), onImages: () => [] })
  const samples: Sample[] = []
  try {
    for (const family of FAMILIES) {
      // One engine per family: the text encoder's and the LoRA's work carries from cell to cell.
      const engine = new Engine({ registry, services: host.services, onRelease: (keys) => void host.sessions.release(keys) })
      for (const run of family.runs) {
        const file = join(projectRoot(), 'graphs', run.graph)
        // Seeds 0, 1, ... as `npm run eval` uses, so the figure's cells are the evaluation's samples.
        const graph = applyOverrides(parseGraphFile(readFileSync(file, 'utf8'), run.graph), [`${SAMPLER}.seed=0`], registry)
        const axes = [{ node: SAMPLER, input: 'steps', values: [...run.steps] }, { node: PROMPT, input: 'text', values: captions }]
        const definition = createSweepDefinition(graph, axes, seeds, registry)
        const started = performance.now()
        const outcome = await runSweep({ definition, engine, store: new MemoryCellStore() })
        for (const cell of outcome.cells) {
          const result = outcome.results[cell.index]
          if (!result) throw new Error(`${run.graph}: cell ${cell.index + 1} has no result`)
          samples.push({ family: family.name, steps: Number(cell.values[0]), scores: result.scores })
        }
        process.stderr.write(`${family.name}: ${run.graph}, ${outcome.cells.length} cells in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
      }
    }
  } finally {
    await host.dispose()
  }

  const summaries = summarise(samples).sort((a, b) => FAMILIES.findIndex((f) => f.name === a.family) - FAMILIES.findIndex((f) => f.name === b.family) || a.steps - b.steps)
  const table = markdownTable(summaries)
  const seedList = Array.from({ length: seeds }, (_, i) => i).join(', ')
  const markdown = [
    '# Scene Score against steps',
    '',
    `Written by \`npm run figure:sweep\` (scripts/sweep-figure.ts) through the sweep API: the first ${captions.length} held-out captions of ` +
      `training/scenes.json at seeds ${seedList}, one image per caption and seed (${captions.length * seeds} per row). ` +
      'Scene Score is the fraction of the caption\'s five attributes measured right; the attribute columns are the share of images with that attribute right.',
    '',
    table,
    '',
    'Captions:',
    '',
    ...captions.map((c, i) => `${i + 1}. ${c}`),
    '',
  ].join('\n')
  await mkdir(out, { recursive: true })
  const svgPath = join(out, `${FILE}.svg`)
  const mdPath = join(out, `${FILE}.md`)
  await writeFile(svgPath, await renderChartSvg(chart(summaries, captions.length, seeds)))
  await writeFile(mdPath, markdown)
  process.stdout.write(`${table}\n\n${relative(process.cwd(), svgPath)}\n${relative(process.cwd(), mdPath)}\n`)
  return 0
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`figure:sweep: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = error instanceof UsageError ? 2 : 1
}
