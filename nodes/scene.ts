// The shapes domain's reward: checks an image against its caption by measuring the scene analytically
// (src/scene), attribute by attribute. No model runs, so it is exact on clean renders and cheap on every run.
import { InputError, optionalOutput, output, socket, string, timingOutput } from '../src/engine/index.js'
import { ATTRIBUTES, CaptionError, type Attribute, describeScore, parseCaption, scoreScene, type CaptionSpec, type SceneScore } from '../src/scene/index.js'
import { parseEmphasis } from '../src/text/index.js'
import { defineHostNode } from './define.js'
import type { ImageBatch, Parameters } from './types.js'

/**
 * The caption to check: the widget's text, else the prompt the image was generated from, its emphasis brackets
 * ("(green:1.3)") read away.
 */
function captionOf(caption: string, image: ImageBatch): { spec: CaptionSpec; text: string } {
  const own = caption.trim()
  const prompt = image.parameters.prompt
  const text = own !== '' ? own : typeof prompt === 'string' ? parseEmphasis(prompt).map((part) => part.text).join('') : ''
  if (text.trim() === '') {
    throw new InputError('caption', 'no caption given and the image carries no prompt in its parameters (type one, e.g. "a red circle")')
  }
  try {
    return { spec: parseCaption(text), text }
  } catch (err) {
    if (!(err instanceof CaptionError)) throw err
    throw new InputError('caption', own !== '' ? err.message : `the image's prompt is not a shapes caption: ${err.message}`)
  }
}

/** scene_* parameters: saved PNGs carry them in their metadata and the gallery lists them. No commas in values (A1111 text). */
function scoreParameters(text: string, scores: readonly SceneScore[]): Parameters {
  const mean = scores.reduce((sum, s) => sum + s.score, 0) / scores.length
  const parameters: Record<string, string | number | boolean> = {
    scene_caption: text,
    scene_score: Number(mean.toFixed(4)),
    scene_all_right: scores.length === 1 ? scores[0]!.allRight : `${scores.filter((s) => s.allRight).length}/${scores.length}`,
  }
  for (const attribute of ATTRIBUTES) {
    const results = scores.flatMap((s) => s.results.filter((r) => r.attribute === attribute))
    if (results.length === 0) continue
    const [only] = results
    parameters[`scene_${attribute}`] =
      results.length === 1 && only
        ? only.right
          ? `✓ ${only.measured}`
          : `✗ ${only.measured ?? 'no object'} (wanted ${only.expected})`
        : `${results.filter((r) => r.right).length}/${results.length} right`
  }
  return parameters
}

export const sceneScore = defineHostNode({
  type: 'SceneScore',
  version: 1,
  displayName: 'Scene Score (shapes)',
  category: 'reward',
  description:
    'Checks images of the shapes domain against a caption ("a {size} {colour} {shape} {position} on a {background} background", or any part of it in that order): measures background, colour, shape, size and position from the pixels and scores each attribute the caption names. Outputs the mean fraction right, the share of images with every attribute right, a per-attribute report, and the images with scene_* results in their parameters (saved PNGs carry them).',
  isOutput: true,
  inputs: {
    image: socket('IMAGE'),
    caption: string({ default: '', description: "The caption to check. Empty: the prompt the image was generated from (its parameters' prompt)." }),
  },
  outputs: {
    score: output('FLOAT', 'Fraction of the named attributes that are right, averaged over the batch (0..1).'),
    all_right: output('FLOAT', 'Share of the images with every named attribute right (0..1).'),
    result: output('STRING', 'One line per attribute: "colour ✓ red" or "shape ✗ square (wanted circle)".'),
    image: output('IMAGE', 'The input images, with scene_score, scene_all_right and scene_<attribute> in their parameters.'),
    scores: output('STRING', 'Per-image scores, comma separated.'),
    // Per attribute, for sweeps and charts: empty when the caption does not name the attribute.
    size: optionalOutput('FLOAT', 'Share of the images whose size is right (0..1); empty when the caption names no size.'),
    colour: optionalOutput('FLOAT', 'Share of the images whose colour is right (0..1); empty when the caption names no colour.'),
    shape: optionalOutput('FLOAT', 'Share of the images whose shape is right (0..1); empty when the caption names no shape.'),
    position: optionalOutput('FLOAT', 'Share of the images whose position is right (0..1); empty when the caption names no position.'),
    background: optionalOutput('FLOAT', 'Share of the images whose background is right (0..1); empty when the caption names no background.'),
    ms_per_image: timingOutput('Milliseconds per image it took to make the scored images: the compute time of every node upstream (each measured when it last ran, so cached nodes count what they cost then), divided by the batch size.'),
  },
  async execute({ image, caption }, ctx) {
    if (image.images.length === 0) throw new InputError('image', 'the image batch is empty')
    const { spec, text } = captionOf(caption, image)
    const scores = image.images.map((data, n) => {
      ctx.checkCancelled()
      const score = scoreScene(spec, { width: image.width, height: image.height, data })
      ctx.progress(n + 1, image.images.length)
      return score
    })
    const lines = scores.flatMap((s, n) => describeScore(s).map((line) => (scores.length > 1 ? `image ${n + 1}: ${line}` : line)))
    const parameters = scoreParameters(text, scores)
    const allRight = scores.filter((s) => s.allRight).length / scores.length
    const attributeShare = (attribute: Attribute): number | undefined => {
      const results = scores.flatMap((s) => s.results.filter((r) => r.attribute === attribute))
      return results.length === 0 ? undefined : results.filter((r) => r.right).length / results.length
    }
    return {
      score: Number(parameters.scene_score),
      all_right: allRight,
      result: lines.join('\n'),
      scores: scores.map((s) => s.score.toFixed(4)).join(', '),
      size: attributeShare('size'),
      colour: attributeShare('colour'),
      shape: attributeShare('shape'),
      position: attributeShare('position'),
      background: attributeShare('background'),
      ms_per_image: ctx.upstreamMs() / image.images.length,
      image: { ...image, parameters: { ...image.parameters, ...parameters } },
    }
  },
})
