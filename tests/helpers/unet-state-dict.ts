// The tests' UNet state dicts: a tiny UNet's own weights under their torch (diffusers) names, each tensor changed by a
// seeded affine map (v * gain + shift), and the reference model that map gives when applied straight to the decoded
// ONNX initializers. The map is elementwise, so the reference needs no layout knowledge: a replacement that puts a
// value in the wrong place (an untransposed MatMul weight, another layer's constant) disagrees with it.
import { readFileSync } from 'node:fs'
import { findTargetLayers } from '../../src/lora/layers.js'
import { decodeModel, encodeModel } from '../../src/models/onnx/codec.js'
import { internalizeExternalData } from '../../src/models/onnx/external-data.js'
import { float16ArrayToFloat32, float32ArrayToFloat16 } from '../../src/models/onnx/float16.js'
import { requireGraph } from '../../src/models/onnx/graph.js'
import { setTensorData, tensorToFloat32 } from '../../src/models/onnx/tensor-data.js'
import { DataType } from '../../src/models/onnx/types.js'
import { encodeSafetensors, float32Bytes, type TensorToWrite } from '../../src/models/safetensors/writer.js'
import type { ModelSource } from '../../src/runtime/types.js'
import { mulberry32 } from '../../scripts/models/prng.js'

export const MODELS = 'public/models'

/** `<folder>/unet/model.onnx` with its external data, as a pipeline loads it. */
export function loadUNet(folder: string): ModelSource {
  const dir = `${MODELS}/${folder}/unet`
  return { key: `${dir}/model.onnx`, bytes: readFileSync(`${dir}/model.onnx`), externalData: [{ path: 'model.onnx_data', data: readFileSync(`${dir}/model.onnx_data`) }] }
}

export interface StateDictEntry {
  /** The diffusers key. */
  readonly key: string
  /** Torch layout. */
  readonly shape: readonly number[]
  readonly values: Float32Array
  /** The ONNX initializer the values came from (ONNX layout). */
  readonly initializer: string
}

function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!
  return out
}

/** The module scope of a torch-export node name: "/a.0/b/Mul" -> "a.0.b". */
const scope = (nodeName: string) => nodeName.split('/').filter((p) => p.length > 0).slice(0, -1).join('.')

/**
 * The UNet's float initializers under torch names: LoRA layers by module path (MatMul weights back to [out, in]),
 * GroupNorm constants (`onnx::Mul_*` / `onnx::Add_*`) as `<norm scope>.weight` / `.bias` of shape [C], the rest as named.
 */
export function torchStateDict(source: ModelSource): StateDictEntry[] {
  const model = decodeModel(new Uint8Array(source.bytes))
  const graph = requireGraph(model)
  const external = source.externalData?.[0]?.data
  const layerOf = new Map([...findTargetLayers(graph).values()].map((l) => [l.weight.name, l]))
  return graph.initializer
    .filter((t) => t.dataType === DataType.FLOAT)
    .map((t) => {
      const name = t.name!
      const values = Float32Array.from(tensorToFloat32(t, external))
      const layer = layerOf.get(name)
      if (layer) {
        const data = layer.transposed ? transposed(values, layer.shape[1]!, layer.shape[0]!) : values
        return { key: `${layer.name}.weight`, shape: layer.shape, values: data, initializer: name }
      }
      const renamed = /^onnx::(Mul|Add)_/.exec(name)
      if (!renamed) return { key: name, shape: t.dims, values, initializer: name }
      const reader = graph.node.find((n) => n.input.includes(name))!
      return { key: `${scope(reader.name!)}.${renamed[1] === 'Mul' ? 'weight' : 'bias'}`, shape: t.dims.filter((d) => d !== 1), values, initializer: name }
    })
}

export interface Change {
  readonly gain: number
  readonly shift: number
}

/** A seeded gain in [0.7, 1.3] and shift in [-0.05, 0.05] per key. */
export function seededChanges(entries: readonly StateDictEntry[], seed: number): Map<string, Change> {
  const next = mulberry32(seed)
  return new Map(entries.map((e) => [e.key, { gain: 0.7 + 0.6 * next(), shift: 0.1 * (next() - 0.5) }]))
}

const applied = (values: Float32Array, c: Change) => values.map((v) => v * c.gain + c.shift)
const fp16Rounded = (values: Float32Array) => float16ArrayToFloat32(float32ArrayToFloat16(values))

/** The changed state dict as a safetensors file, in F32 or F16. */
export function changedStateDict(entries: readonly StateDictEntry[], changes: ReadonlyMap<string, Change>, dtype: 'F32' | 'F16' = 'F32'): Uint8Array {
  const tensors: TensorToWrite[] = entries.map((e) => {
    const values = applied(e.values, changes.get(e.key)!)
    const data = dtype === 'F32' ? float32Bytes(values) : new Uint8Array(float32ArrayToFloat16(values).buffer)
    return { name: e.key, dtype, shape: e.shape, data }
  })
  return encodeSafetensors(tensors)
}

/** Each reference is a model of its own for the session cache. */
let references = 0

/**
 * The reference: `source` with each changed initializer's values mapped in place (rounded through fp16 for an F16
 * file), everything inline. Keyed by initializer name, so it does not share the product's key-to-place search.
 */
export function referenceModel(source: ModelSource, entries: readonly StateDictEntry[], changes: ReadonlyMap<string, Change>, rounding: 'F32' | 'F16' = 'F32'): ModelSource {
  const model = decodeModel(new Uint8Array(source.bytes))
  internalizeExternalData(model, new Map((source.externalData ?? []).map((f) => [f.path, new Uint8Array(f.data)])))
  const byInitializer = new Map(entries.map((e) => [e.initializer, changes.get(e.key)!]))
  for (const tensor of requireGraph(model).initializer) {
    const change = byInitializer.get(tensor.name!)
    if (!change) continue
    const values = applied(Float32Array.from(tensorToFloat32(tensor)), change)
    setTensorData(tensor, rounding === 'F16' ? fp16Rounded(values) : values)
  }
  return { key: `${source.key}#reference-${++references}`, bytes: encodeModel(model) }
}
