// Prompt encoding with the pipeline's CLIP text encoder(s).
import { combo, InputError, output, socket, string } from '../src/engine/index.js'
import type { HostTensor } from '../src/runtime/types.js'
import { clipTokenizerFromFolderTexts, type LoadedClipTokenizer } from '../src/text/index.js'
import { defineHostNode } from './define.js'
import { encoderInput, PROMPT_SYNTAXES, weightedHiddenStates, type EncoderInput } from './lib/prompt-encoding.js'
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
  // 2: the syntax input; graphs saved before it keep diffusers' reading (the prompt as written, 75 tokens at most).
  version: 2,
  migrate: (inputs, from) => (from < 2 && inputs['syntax'] === undefined ? { ...inputs, syntax: 'diffusers' } : inputs),
  displayName: 'CLIP Text Encode',
  category: 'conditioning',
  description:
    'Encodes a prompt with the CLIP text encoder(s). With syntax comfyui (the default), (words) weighs words 1.1 times, (words:1.3) sets their weight, \\( and \\) are literal brackets, and a prompt over 75 tokens is encoded in 75-token windows, as ComfyUI does; with diffusers, the prompt is read as written and cut at 75 tokens, with a warning.',
  inputs: {
    clip: socket('CLIP'),
    // CLIP reads 75 tokens per window (a few hundred characters); the cap keeps a pasted megabyte from stalling the
    // tokenizer, whose byte-pair merges grow with the square of a word's length.
    text: string({ default: '', multiline: true, maxLength: PROMPT_MAX_CHARACTERS, description: 'The prompt.' }),
    syntax: combo(PROMPT_SYNTAXES, {
      default: 'comfyui',
      advanced: true,
      description:
        "comfyui: ComfyUI's emphasis weights and prompts longer than 75 tokens (in windows of 75). diffusers: the prompt as written, cut at 75 tokens, as diffusers' pipelines encode it. The same encoding for a prompt of 75 tokens or fewer without brackets.",
    }),
  },
  // The prompt's encoding is cached like a run's, so the first run starts at the sampler.
  warmUp: 'execute',
  outputs: { conditioning: output('CONDITIONING') },
  async execute({ clip, text, syntax }, ctx) {
    ctx.stage('Encoding prompt…')
    const parts: { data: Float32Array; tokens: number; dim: number }[] = []
    let pooled: Float32Array | undefined
    for (const encoder of clip.encoders) {
      let input: EncoderInput
      try {
        input = encoderInput(tokenizerFor(encoder), text, syntax)
      } catch (error) {
        throw new InputError('text', error instanceof Error ? error.message : String(error))
      }
      if (input.dropped > 0 && encoder.role === 'primary') {
        ctx.warn(`prompt has ${input.tokenCount} tokens; the last ${input.dropped} beyond 75 were dropped (syntax comfyui encodes them in further windows)`)
      }
      const { session, feeds } = await textEncoderSession(ctx, clip, encoder)
      ctx.checkCancelled()
      const ids = new Int32Array(input.rows.length * 77)
      input.rows.forEach((row, i) => ids.set(row, i * 77))
      const outputs = await session.run({ ...feeds, input_ids: { dtype: 'int32', dims: [input.rows.length, 77], data: ids } })
      const hidden = pickHiddenState(outputs, encoder.role, clip.variant)
      parts.push(weightedHiddenStates(float32('hidden state', hidden), hidden.dims, input))
      // The pooled embedding of the first window, as ComfyUI takes it.
      if (encoder.role === 'secondary') pooled = float32('text_embeds', outputs.text_embeds).slice(0, outputs.text_embeds!.dims[1])
    }
    // SDXL: the encoders' windows side by side along the feature axis (768 + 1280 = 2048), as many as both have.
    const tokens = Math.min(...parts.map((p) => p.tokens))
    const dim = parts.reduce((sum, p) => sum + p.dim, 0)
    const hiddenStates = new Float32Array(tokens * dim)
    let offset = 0
    for (const part of parts) {
      for (let t = 0; t < tokens; t++) hiddenStates.set(part.data.subarray(t * part.dim, (t + 1) * part.dim), t * dim + offset)
      offset += part.dim
    }
    return { conditioning: { hiddenStates, dims: [1, tokens, dim] as const, prompt: text, ...(pooled ? { pooled } : {}) } }
  },
})
