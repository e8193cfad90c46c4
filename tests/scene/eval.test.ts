// `npm run eval` (scripts/eval) on 2 held-out captions with the tiny random model standing in for hyper-shapes
// and the tiny kohya LoRA standing in for two of the shapes LoRAs: the others are skipped with a note.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodePng } from '../../src/graph/png.js'
import { parseEvalArgs } from '../../scripts/eval/options.js'
import { EVAL_FILES, runShapesEval } from '../../scripts/eval/run.js'
import { evalVariants, filterVariants, variantId } from '../../scripts/eval/variants.js'
import { ROOT } from '../helpers/tiny-host.js'

const TINY_LORA = join(ROOT, 'public', 'models', 'loras', 'tiny-hyper-sd15-4step-kohya.safetensors')

describe('the shapes evaluation', () => {
  it('has every variant the study needs, with unique ids', () => {
    const ids = evalVariants({ cfg: 4 }).map(variantId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(
      expect.arrayContaining([
        'teacher-ddim-cfg4/1', 'teacher-ddim-cfg4/50', 'teacher-ddpm-cfg3.5/25', 'teacher-ddpm-cfg3.5/50', 'teacher-plain/1', 'teacher-plain/4',
        'hyper-lora/8', 'hyper-lora/4', 'hyper-lora/2', 'hyper-lora/1', 'step-lora-tcd-eta1/4',
        'unified-tcd-eta0.3/1', 'unified-tcd-eta0.5/8', 'unified-tcd-eta1/4',
        'refl/4', 'refl-tcd-eta1/4', 'step-lora-lcm800/1', 'unified-lcm800/1', 'dmd/1', 'cd-ablation-ddim/8', 'cd-ablation-lcm/1',
      ]),
    )
    expect(ids).toHaveLength(6 + 2 + 2 + 4 + 3 + 1 + 12 + 1 + 3 + 8)
    expect(filterVariants(evalVariants({ cfg: 4 }), 'refl').map(variantId)).toEqual(['refl-tcd-eta1/4', 'refl/4'])
  })

  it('renders 2 captions with the tiny model and writes the table, JSON, chart and grid', async () => {
    const loraDir = mkdtempSync(join(tmpdir(), 'eval-loras-'))
    for (const name of ['hyper-shapes-4step', 'hyper-shapes-unified']) copyFileSync(TINY_LORA, join(loraDir, `${name}.safetensors`))
    const out = mkdtempSync(join(tmpdir(), 'eval-out-'))
    const options = parseEvalArgs([
      '--captions', '2', '--seeds', '3', '--out', out, '--lora-dir', loraDir,
      '--model', `hyper-shapes=${join(ROOT, 'public', 'models', 'tiny-sd15')}`,
      '--only', 'hyper-lora,unified-tcd-eta0.5,teacher-plain/1',
    ])
    const log: string[] = []
    const outcome = await runShapesEval(options, (line) => log.push(line))

    expect(outcome.results.map((r) => r.id)).toEqual(['teacher-plain/1', 'hyper-lora/4', 'unified-tcd-eta0.5/1', 'unified-tcd-eta0.5/2', 'unified-tcd-eta0.5/4', 'unified-tcd-eta0.5/8'])
    expect(outcome.results.every((r) => r.n === 2 && r.allRight >= 0 && r.allRight <= 1)).toBe(true)
    expect(outcome.skipped.map((s) => s.id)).toEqual(['hyper-lora/8', 'hyper-lora/2', 'hyper-lora/1'])
    expect(log).toContain(`skip hyper-lora/8: loras/hyper-shapes-8step.safetensors not found (${join(loraDir, 'hyper-shapes-8step.safetensors')})`)
    expect(log.some((l) => l.startsWith('[6/6] unified-tcd-eta0.5/8 (hyper-shapes-unified): all right '))).toBe(true)

    const table = readFileSync(join(out, EVAL_FILES.markdown), 'utf8').split('\n').filter((l) => l.startsWith('| '))
    expect(table).toHaveLength(2 + 6)
    expect(table[0]).toBe('| family | model / LoRA | scheduler | steps | eta | cfg | n | size | colour | shape | position | background | all right |')
    expect(table[4]).toMatch(/^\| unified-tcd-eta0\.5 \| hyper-shapes-unified \| tcd \| 1 \| 0\.5 \| 1 \| 2 \| [\d.]+% \|/)

    const json = JSON.parse(readFileSync(join(out, EVAL_FILES.json), 'utf8')) as { results: { id: string }[]; samples: { caption: string; seed: number }[] }
    expect(json.results).toHaveLength(6)
    expect(json.samples).toHaveLength(12)
    expect(json.samples[0]).toMatchObject({ caption: 'a small yellow triangle at the top on a blue background', seed: 3 })

    const chart = decodePng(new Uint8Array(readFileSync(join(out, EVAL_FILES.chart))))
    expect(chart.width).toBeGreaterThan(600)
    const grid = decodePng(new Uint8Array(readFileSync(join(out, EVAL_FILES.grid))))
    // 6 columns of 64 px images drawn at 128 px, 2 rows.
    expect(grid.width).toBeGreaterThan(6 * 128)
    expect(grid.height).toBeGreaterThan(2 * 128)
  })

  it('says clearly when the model is missing or --only matches nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'eval-out-'))
    await expect(runShapesEval(parseEvalArgs(['--out', out, '--models-dir', out]), () => {})).rejects.toThrow(/the hyper-shapes model is not at .*pass --model hyper-shapes=PATH/)
    await expect(runShapesEval(parseEvalArgs(['--out', out, '--only', 'nothing-like-this']), () => {})).rejects.toThrow(/matches no variant/)
  })
})
