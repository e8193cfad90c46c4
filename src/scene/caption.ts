// The caption grammar `a {size} {colour} {shape} {position} on a {background} background`, full or partial:
// any subset of the attributes, in the grammar's order. Words come from the domain, so a new palette colour in
// scenes.json is understood without a code change.
import { ATTRIBUTES, sceneDomain, vocabulary, type Attribute, type Scene, type SceneDomain } from './domain.js'

/** What a caption asks for; an attribute it does not name is unspecified. */
export type CaptionSpec = Partial<Scene>

export class CaptionError extends Error {
  override readonly name = 'CaptionError'
}

/**
 * Lower case, single spaces, no trailing full stop, "an" read as "a" (the template writes "on a orange
 * background"; people write "an"): "A  Red circle." reads as "a red circle".
 */
function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim().replace(/\s*\.$/, '').replace(/\ban\b/g, 'a')
}

/** The phrase an attribute's word takes in the caption. */
function phrase(attribute: Attribute, word: string): string {
  return attribute === 'background' ? `on a ${word} background` : word
}

/** Longest phrase first, so "in the top left" wins over a shorter phrase it starts with. */
function phrases(domain: SceneDomain, attribute: Attribute): { word: string; text: string }[] {
  return vocabulary(domain, attribute)
    .map((word) => ({ word, text: phrase(attribute, word) }))
    .sort((a, b) => b.text.length - a.text.length)
}

function startsWithPhrase(rest: string, text: string): boolean {
  return rest === text || rest.startsWith(`${text} `)
}

export function parseCaption(text: string, domain: SceneDomain = sceneDomain()): CaptionSpec {
  const normalized = normalize(text)
  if (normalized === '') throw new CaptionError('the caption is empty')
  let rest = normalized.replace(/^a (?=\S)/, '')
  const spec: { -readonly [A in Attribute]?: string } = {}
  for (const attribute of ATTRIBUTES) {
    const match = phrases(domain, attribute).find((p) => startsWithPhrase(rest, p.text))
    if (!match) continue
    spec[attribute] = match.word
    rest = rest.slice(match.text.length).trim()
  }
  if (rest !== '') {
    const understood = normalized.slice(0, normalized.length - rest.length).trim()
    throw new CaptionError(
      `caption "${text.trim()}": did not understand "${rest}"${understood ? ` after "${understood}"` : ''} (expected the grammar "${domain.template}", attributes in that order, words from training/scenes.json)`,
    )
  }
  if (Object.keys(spec).length === 0) throw new CaptionError(`caption "${text.trim()}" names no attribute`)
  if (spec.colour !== undefined && spec.colour === spec.background) {
    throw new CaptionError(`caption "${text.trim()}": the object and the background are both ${spec.colour}`)
  }
  return spec
}

/** The full caption of a scene, as the training data writes it. */
export function formatCaption(scene: Scene, domain: SceneDomain = sceneDomain()): string {
  return ATTRIBUTES.reduce((text, a) => text.replace(`{${a}}`, scene[a]), domain.template)
}
