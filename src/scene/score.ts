// A caption against an image: each attribute the caption names is right or wrong; unnamed attributes are not
// scored, so "a red circle" is judged on colour and shape only.
import { parseCaption, type CaptionSpec } from './caption.js'
import { ATTRIBUTES, sceneDomain, type Attribute, type SceneDomain } from './domain.js'
import type { RgbaImage } from './image.js'
import { measureScene, type SceneMeasurement } from './measure.js'

export interface AttributeResult {
  readonly attribute: Attribute
  readonly expected: string
  /** null: no object was found, so the object's attributes cannot be read. */
  readonly measured: string | null
  readonly right: boolean
}

export interface SceneScore {
  readonly caption: CaptionSpec
  /** The caption's attributes in grammar order. */
  readonly results: readonly AttributeResult[]
  readonly allRight: boolean
  /** Fraction of the caption's attributes that are right, in [0, 1]. */
  readonly score: number
  readonly measurement: SceneMeasurement
}

function measuredValue(measurement: SceneMeasurement, attribute: Attribute): string | null {
  if (attribute === 'background') return measurement.background
  return measurement.object ? measurement.object[attribute] : null
}

export function scoreScene(caption: string | CaptionSpec, image: RgbaImage, domain: SceneDomain = sceneDomain()): SceneScore {
  const spec = typeof caption === 'string' ? parseCaption(caption, domain) : caption
  const measurement = measureScene(image, domain)
  const results = ATTRIBUTES.flatMap((attribute): AttributeResult[] => {
    const expected = spec[attribute]
    if (expected === undefined) return []
    const measured = measuredValue(measurement, attribute)
    return [{ attribute, expected, measured, right: measured === expected }]
  })
  const right = results.filter((r) => r.right).length
  return { caption: spec, results, allRight: right === results.length, score: results.length > 0 ? right / results.length : 0, measurement }
}

/** One line per attribute, e.g. "shape ✓ circle" or "size ✗ small (wanted large)"; for nodes, logs and the CLI. */
export function describeScore(score: SceneScore): string[] {
  return score.results.map((r) =>
    r.right ? `${r.attribute} ✓ ${r.expected}` : `${r.attribute} ✗ ${r.measured ?? 'no object'} (wanted ${r.expected})`,
  )
}
