// Accuracy per attribute and all-right per variant, and the Markdown table of them.
import { ATTRIBUTES, type Attribute, type SceneScore } from '../../src/scene/index.js'
import { variantId, type EvalVariant } from './variants.js'

export interface VariantResult {
  readonly id: string
  readonly family: string
  readonly label: string
  readonly steps: number
  readonly scheduler: string
  readonly eta: number
  readonly cfg: number
  /** Images scored. */
  readonly n: number
  /** Share of images with each attribute right. */
  readonly accuracy: Readonly<Record<Attribute, number>>
  readonly allRight: number
  /** Mean fraction of attributes right. */
  readonly meanScore: number
}

export function tally(variant: EvalVariant, scores: readonly SceneScore[]): VariantResult {
  const share = (count: number) => (scores.length > 0 ? count / scores.length : 0)
  const accuracy = Object.fromEntries(
    ATTRIBUTES.map((a) => [a, share(scores.filter((s) => s.results.some((r) => r.attribute === a && r.right)).length)]),
  ) as Record<Attribute, number>
  return {
    id: variantId(variant),
    family: variant.family,
    label: variant.label,
    steps: variant.steps,
    scheduler: variant.scheduler,
    eta: variant.eta,
    cfg: variant.cfg,
    n: scores.length,
    accuracy,
    allRight: share(scores.filter((s) => s.allRight).length),
    meanScore: share(scores.reduce((sum, s) => sum + s.score, 0)),
  }
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`

export function markdownTable(results: readonly VariantResult[]): string {
  const header = ['family', 'model / LoRA', 'scheduler', 'steps', 'eta', 'cfg', 'n', ...ATTRIBUTES, 'all right']
  const rows = results.map((r) => [r.family, r.label, r.scheduler, String(r.steps), String(r.eta), String(r.cfg), String(r.n), ...ATTRIBUTES.map((a) => percent(r.accuracy[a])), `**${percent(r.allRight)}**`])
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
}
