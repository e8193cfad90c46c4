// The shapes domain, read from training/scenes.json: the one source of truth shared with the Python training code,
// so the palette, grammar words, geometry and held-out scenes can never drift between what was trained and what
// is scored. The file is checked when first read; a malformed edit fails loudly instead of mis-scoring.
import { z } from 'zod'
import scenesJson from '../../training/scenes.json'

export type Rgb = readonly [number, number, number]

/** One scene: every attribute of a caption. Words are the domain's own (palette names, size words, phrases). */
export interface Scene {
  readonly size: string
  readonly colour: string
  readonly shape: string
  readonly position: string
  readonly background: string
}

export type Attribute = keyof Scene

/** The caption grammar's order: `a {size} {colour} {shape} {position} on a {background} background`. */
export const ATTRIBUTES: readonly Attribute[] = ['size', 'colour', 'shape', 'position', 'background']

/** The shapes the measurement knows how to tell apart (fill ratios and outlines are geometry, not data). */
export const KNOWN_SHAPES = ['circle', 'square', 'triangle'] as const

export interface SceneDomain {
  readonly imageSize: number
  readonly palette: ReadonlyMap<string, Rgb>
  /** Object side as a fraction of the image width, by size word. */
  readonly sizes: ReadonlyMap<string, number>
  readonly shapes: readonly string[]
  /** Cell centre (x, y) as fractions of the image, by position phrase. */
  readonly positions: ReadonlyMap<string, readonly [number, number]>
  readonly positionJitter: number
  readonly sizeJitter: number
  readonly template: string
  readonly heldOut: readonly Scene[]
}

const channel = z.number().int().min(0).max(255)
const fraction = z.number().min(0).max(1)
const wordMap = <T extends z.ZodType>(value: T) => z.record(z.string().regex(/^[a-z]+( [a-z]+)*$/), value)

const ScenesFile = z.object({
  imageSize: z.number().int().positive(),
  palette: wordMap(z.tuple([channel, channel, channel])),
  sizes: wordMap(fraction),
  shapes: z.array(z.enum(KNOWN_SHAPES)).min(1),
  positions: wordMap(z.tuple([fraction, fraction])),
  positionJitter: fraction,
  sizeJitter: fraction,
  template: z.string(),
  heldOut: z.array(z.object({ size: z.string(), colour: z.string(), shape: z.string(), position: z.string(), background: z.string() })),
})

export function parseSceneDomain(json: unknown): SceneDomain {
  const file = ScenesFile.parse(json)
  const domain: SceneDomain = {
    imageSize: file.imageSize,
    palette: new Map(Object.entries(file.palette)),
    sizes: new Map(Object.entries(file.sizes)),
    shapes: file.shapes,
    positions: new Map(Object.entries(file.positions)),
    positionJitter: file.positionJitter,
    sizeJitter: file.sizeJitter,
    template: file.template,
    heldOut: file.heldOut,
  }
  for (const [n, scene] of domain.heldOut.entries()) {
    const bad = ATTRIBUTES.filter((a) => !vocabulary(domain, a).includes(scene[a]))
    if (bad.length > 0) throw new Error(`scenes.json heldOut[${n}]: unknown ${bad.map((a) => `${a} "${scene[a]}"`).join(', ')}`)
    if (scene.colour === scene.background) throw new Error(`scenes.json heldOut[${n}]: colour and background are both ${scene.colour}`)
  }
  return domain
}

/** The words an attribute can take, in the file's order. */
export function vocabulary(domain: SceneDomain, attribute: Attribute): readonly string[] {
  switch (attribute) {
    case 'size':
      return [...domain.sizes.keys()]
    case 'colour':
    case 'background':
      return [...domain.palette.keys()]
    case 'shape':
      return domain.shapes
    case 'position':
      return [...domain.positions.keys()]
  }
}

let scenes: SceneDomain | undefined

/** The shipped domain, checked when first asked for (the editor's start does not need it). */
export function sceneDomain(): SceneDomain {
  return (scenes ??= parseSceneDomain(scenesJson))
}
