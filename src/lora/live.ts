// What the two live forms share: the `lora_scale_<i>` scalar inputs through which a multiplier reaches the graph, so
// changing it is a new input value instead of a new session.
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import { makeAttribute, makeNode, makeValueInfo } from '../models/onnx/factories.js'
import { DataType } from '../models/onnx/types.js'
import type { OnnxGraph, OnnxNode } from '../models/onnx/types.js'
import type { LoraPatch } from './match.js'

/**
 * How a LoRA reaches the model:
 * - `live`: the multiplier is an input; each patched layer gets a low-rank branch beside it. Least memory (the
 *   factors only), but a per-step cost of rank x (in + out) per position per layer, which grows with the image.
 * - `live-delta`: the multiplier is an input; each patched weight is recomputed per run as W + s * delta, with
 *   delta = up @ down formed once when the model is built and stored in the weight's dtype. One scaled add per
 *   weight per run, whatever the image size, but memory for the deltas: as much again as the patched weights.
 *   Suits small models and the CPU; a real fp16 UNet in the browser can run out of WASM memory with it.
 * - `merge`: the product is baked into the weights; a new multiplier means a new session, which then runs at base speed.
 */
export const LORA_MODES = ['live', 'live-delta', 'merge'] as const
export type LoraMode = (typeof LORA_MODES)[number]

export const isLiveMode = (mode: LoraMode): boolean => mode !== 'merge'

export const loraScaleInput = (index: number): string => `lora_scale_${index}`

export interface LiveLora {
  /** Suffix of the LoRA's `lora_scale_<i>` input. */
  readonly index: number
  readonly file: SafetensorsSource
  readonly patches: readonly LoraPatch[]
}

/** The float32 scalar inputs of the live LoRAs, and their fp16 casts for fp16 models (each made once). */
export class ScaleInputs {
  private readonly casts = new Map<string, OnnxNode>()

  constructor(graph: OnnxGraph, live: readonly LiveLora[]) {
    for (const l of live) if (l.patches.length > 0) graph.input.push(makeValueInfo(loraScaleInput(l.index), DataType.FLOAT, []))
  }

  /** The tensor carrying LoRA `index`'s multiplier in `dataType` (FLOAT or FLOAT16). */
  name(index: number, dataType: number): string {
    const base = loraScaleInput(index)
    if (dataType === DataType.FLOAT) return base
    const cast = `${base}/fp16`
    if (!this.casts.has(cast)) {
      this.casts.set(cast, makeNode({ opType: 'Cast', name: `/lora/${base}/Cast`, input: [base], output: [cast], attribute: [makeAttribute('to', DataType.FLOAT16)] }))
    }
    return cast
  }

  /** The Cast nodes made; they go first in the graph. */
  castNodes(): OnnxNode[] {
    return [...this.casts.values()]
  }
}
