// Prompt encoding with the pipeline's CLIP text encoder(s).
import { output, socket, string } from '../src/engine/index.js'
import type { HostTensor } from '../src/runtime/types.js'
import { clipTokenizerFromFolderTexts, tokenizeForModel, type LoadedClipTokenizer } from '../src/text/index.js'
import { defineHostNode } from './define.js'
import { float32 } from './lib/run-model.js'
import { textEncoderSession } from './lib/lora-sessions.js'
import type { TextEncoderModel } from './types.js'

/** Longest prompt CLIPTextEncode accepts: over ten times what CLIP reads, short enough to tokenize in about a second. */
export const PROMPT_MAX_CHARACTERS = 5000

// Parsing a 49k-entry vocab takes ~50 ms. A pipeline's tokenizer texts are one object for as long as the pipeline
// is cached, so look it up by identity first (joining ~2 MB of text into a key costs ~9 ms, most of the engine's
// per-run overhead). A re-loaded pipeline (same files, new objects) falls back to a content key.
const TOKENIZER_CACHE_SIZE = 4
type TokenizerTexts = TextEncoderModel['encoders'][number]['tokenizer']
const byIdentity = new WeakMap<TokenizerTexts, LoadedClipTokenizer>()
const byContent = new Map<string, LoadedClipTokenizer>()

function tokenizerFor(encoder: TextEncoderModel['encoders'][number]): LoadedClipTokenizer {
  const t = encoder.tokenizer
  const known = byIdentity.get(t)
  if (known) return known
  const key = [t.vocabJson, t.mergesTxt, t.tokenizerJson, t.tokenizerConfigJson, t.specialTokensMapJson].map((x) => x ?? '').join('\u0000')
  let loaded = byContent.get(key)
  if (loaded) byContent.delete(key)
  else loaded = clipTokenizerFromFolderTexts(t)
  byContent.set(key, loaded)
  if (byContent.size > TOKENIZER_CACHE_SIZE) byContent.delete(byContent.keys().next().value!)
  byIdentity.set(t, loaded)
  return loaded
}

/** SDXL conditions on the penultimate layer ("hidden_states.{n-1}"); SD1.5 on the last hidden state. */
function pickHiddenState(outputs: Record<string, HostTensor>, role: 'primary' | 'secondary', variant: TextEncoderModel['variant']): HostTensor {
  if (variant === 'sdxl') {
    const layers = Object.keys(outputs)
      .map((k) => /^hidden_states\.(\d+)$/.exec(k)?.[1])
      .filter((k): k is string => k !== undefined)
      .map(Number)
    if (layers.length >= 2) return outputs[`hidden_states.${Math.max(...layers) - 1}`]!
    throw new Error(`SDXL ${role} text encoder has no hidden_states.* outputs (export it with output_hidden_states)`)
  }
  const last = outputs.last_hidden_state
  if (!last) throw new Error('text encoder gave no "last_hidden_state" output')
  return last
}

export const clipTextEncode = defineHostNode({
  type: 'CLIPTextEncode',
  version: 1,
  displayName: 'CLIP Text Encode',
  category: 'conditioning',
  description: 'Encodes a prompt with the CLIP text encoder(s). Prompts over 75 tokens are truncated, with a warning.',
  inputs: {
    clip: socket('CLIP'),
    // CLIP reads 75 tokens (a few hundred characters); the cap keeps a pasted megabyte from stalling the tokenizer,
    // whose byte-pair merges grow with the square of a word's length.
    text: string({ default: '', multiline: true, maxLength: PROMPT_MAX_CHARACTERS, description: 'The prompt.' }),
  },
  // The prompt's encoding is cached like a run's, so the first run starts at the sampler.
  warmUp: 'execute',
  outputs: { conditioning: output('CONDITIONING') },
  async execute({ clip, text }, ctx) {
    ctx.stage('Encoding prompt…')
    const parts: { data: Float32Array; dim: number }[] = []
    let pooled: Float32Array | undefined
    for (const encoder of clip.encoders) {
      const { tokenizer, padId } = tokenizerFor(encoder)
      const input = tokenizeForModel(tokenizer, text, { padId })
      if (input.dropped > 0 && encoder.role === 'primary') {
        ctx.warn(`prompt has ${input.tokenCount} tokens; the last ${input.dropped} beyond 75 were dropped`)
      }
      const { session, feeds } = await textEncoderSession(ctx, clip, encoder)
      ctx.checkCancelled()
      const outputs = await session.run({ ...feeds, input_ids: { dtype: 'int32', dims: [1, 77], data: input.ids } })
      const hidden = pickHiddenState(outputs, encoder.role, clip.variant)
      parts.push({ data: float32('hidden state', hidden), dim: hidden.dims[2]! })
      if (encoder.role === 'secondary') pooled = float32('text_embeds', outputs.text_embeds)
    }
    const dim = parts.reduce((sum, p) => sum + p.dim, 0)
    // Concatenate encoders along the feature axis (SDXL: 768 + 1280 = 2048).
    const hiddenStates = new Float32Array(77 * dim)
    let offset = 0
    for (const part of parts) {
      for (let t = 0; t < 77; t++) hiddenStates.set(part.data.subarray(t * part.dim, (t + 1) * part.dim), t * dim + offset)
      offset += part.dim
    }
    return { conditioning: { hiddenStates, dims: [1, 77, dim] as const, prompt: text, ...(pooled ? { pooled } : {}) } }
  },
})
