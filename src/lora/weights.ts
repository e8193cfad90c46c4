// Reading and writing float weights of a decoded model, inline or in external data. Patched and added tensors of a
// model that keeps its weights outside the .onnx file go into one new side file, so the base model's data file is
// shared untouched (no copy of a multi-GB UNet, and the base session and other LoRA sets keep using it).
import { float16ArrayToFloat32, float32ArrayToFloat16 } from '../models/onnx/float16.js'
import { makeTensor } from '../models/onnx/factories.js'
import { clearTensorData, elementCount, externalDataRef, setTensorData, tensorBytes } from '../models/onnx/tensor-data.js'
import { DataLocation, DataType } from '../models/onnx/types.js'
import type { OnnxTensor } from '../models/onnx/types.js'

export const LORA_DATA_FILE = 'lora_weights.onnx_data'

/**
 * The most bytes a built model keeps inside its .onnx file: protobuf refuses messages of 2 GiB and more, less a
 * margin for the nodes a build adds. New data that would pass it goes to the side file even for an inline model
 * (a full-size fp16 SD1.5 UNet is 1.7 GB inline, and live-delta adds a delta as large as each patched weight).
 */
export const MAX_INLINE_MODEL_BYTES = 2 ** 31 - 64 * 2 ** 20

export class WeightStore {
  /** New values per tensor, already in the tensor's dtype (FLOAT or FLOAT16), written out by `finish`. */
  private readonly pending = new Map<OnnxTensor, Float32Array | Uint16Array>()
  /** Reused by `update`: a full-size UNet's merge would otherwise take fresh memory for every weight. */
  private scratch = new Float32Array(0)
  /** A copy of the model's bytes that `update` writes inline weights into, at their own offsets (see rewriteInto). */
  private inPlace: { readonly source: Uint8Array; readonly target: Uint8Array } | undefined

  constructor(
    private readonly externalFiles: ReadonlyMap<string, Uint8Array>,
    /** Write new data to the side file (true when the model already uses external data). */
    private readonly external: boolean,
    /** The side file's name: a model built on another rewrite's output needs a name of its own (UNet weights, then LoRAs). */
    readonly sideFile: string = LORA_DATA_FILE,
    /** The size of the model's .onnx file: when new tensors would take it past maxInlineBytes, they all go to the side file. */
    private readonly inlineModelBytes = 0,
    private readonly maxInlineBytes = MAX_INLINE_MODEL_BYTES,
  ) {}

  /** A fresh float32 copy of a FLOAT or FLOAT16 tensor's current values (including earlier writes). */
  readCopy(tensor: OnnxTensor): Float32Array {
    return this.decodeInto(tensor, undefined)
  }

  /**
   * Changes a tensor's values: decoded into a buffer reused across calls, changed by `change`, and stored in the
   * tensor's own dtype at once, so a merge over a full-size fp16 UNet holds no float32 copy of its weights.
   */
  update(tensor: OnnxTensor, change: (values: Float32Array) => void): void {
    const count = elementCount(tensor.dims)
    if (this.scratch.length < count) this.scratch = new Float32Array(count)
    const values = this.decodeInto(tensor, this.scratch.subarray(0, count))
    change(values)
    if (!this.writeInPlace(tensor, values)) this.pending.set(tensor, encodeAs(values, tensor.dataType ?? DataType.FLOAT, true))
  }

  /**
   * Has `update` write inline weights (views into `source`, the decoded model's bytes) straight into `target`, a copy
   * of `source`, at the same offsets: a merge that changes no graph then needs no re-encoding of the model (at full
   * size that saves a second copy of it). Each such tensor's data then points into `target`.
   */
  rewriteInto(source: Uint8Array, target: Uint8Array): void {
    if (target.byteLength !== source.byteLength || target.buffer === source.buffer) throw new Error('the in-place target must be a copy of the model, as long as it')
    this.inPlace = { source, target }
  }

  /** Whether tensors wait for `finish` (those `update` could not write in place, and every `write`). */
  get hasPending(): boolean {
    return this.pending.size > 0
  }

  private writeInPlace(tensor: OnnxTensor, values: Float32Array): boolean {
    const raw = tensor.rawData
    const place = this.inPlace
    if (!place || !raw || externalDataRef(tensor)) return false
    const inSource = raw.buffer === place.source.buffer && raw.byteOffset >= place.source.byteOffset && raw.byteOffset + raw.byteLength <= place.source.byteOffset + place.source.byteLength
    const inTarget = raw.buffer === place.target.buffer
    if (!inSource && !inTarget) return false
    const at = inTarget ? raw.byteOffset - place.target.byteOffset : raw.byteOffset - place.source.byteOffset
    const view = place.target.subarray(at, at + raw.byteLength)
    const dataType = tensor.dataType ?? DataType.FLOAT
    if (view.byteLength !== values.length * (dataType === DataType.FLOAT16 ? 2 : 4)) return false
    if (dataType === DataType.FLOAT16 && view.byteOffset % 2 === 0) float32ArrayToFloat16(values, new Uint16Array(view.buffer, view.byteOffset, values.length))
    else {
      const encoded = encodeAs(values, dataType, false)
      view.set(new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength))
    }
    tensor.rawData = view
    return true
  }

  /** Sets the tensor's new values (kept, not copied, for a FLOAT tensor: the caller hands them over). */
  write(tensor: OnnxTensor, values: Float32Array): void {
    this.pending.set(tensor, encodeAs(values, tensor.dataType ?? DataType.FLOAT, false))
  }

  /** The tensor's current values as float32, into `out` (exactly its length) or a new array. */
  private decodeInto(tensor: OnnxTensor, out: Float32Array | undefined): Float32Array {
    const written = this.pending.get(tensor)
    if (written) {
      if (written instanceof Uint16Array) return float16ArrayToFloat32(written, out)
      if (!out) return written.slice()
      out.set(written)
      return out
    }
    const ref = externalDataRef(tensor)
    let file: Uint8Array | undefined
    if (ref) {
      file = this.externalFiles.get(ref.location)
      if (!file) throw new Error(`tensor "${tensor.name ?? '?'}" needs external data file "${ref.location}", which was not provided`)
    }
    const bytes = tensorBytes(tensor, file)
    const width = tensor.dataType === DataType.FLOAT16 ? 2 : 4
    if (out && bytes.byteLength !== out.length * width) throw new Error(`tensor "${tensor.name ?? '?'}" holds ${bytes.byteLength} bytes, its dims [${tensor.dims.join(', ')}] need ${out.length * width}`)
    if (tensor.dataType === DataType.FLOAT) {
      if (bytes.byteLength % 4 !== 0) throw new Error(`tensor "${tensor.name ?? '?'}": ${bytes.byteLength} bytes is not a whole number of float32 values`)
      // Never a view of the model's buffer: the caller changes what it gets.
      const target = out ?? new Float32Array(bytes.byteLength / 4)
      new Uint8Array(target.buffer, target.byteOffset, bytes.byteLength).set(bytes)
      return target
    }
    if (tensor.dataType === DataType.FLOAT16) {
      // Decoded straight from the model's bytes when they are 2-byte aligned (inline data may not be).
      const source = bytes.byteOffset % 2 === 0 ? bytes : Uint8Array.prototype.slice.call(bytes)
      return float16ArrayToFloat32(new Uint16Array(source.buffer, source.byteOffset, Math.floor(source.byteLength / 2)), out)
    }
    throw new Error(`tensor "${tensor.name ?? '?'}" is not a float tensor (ONNX data type ${tensor.dataType})`)
  }

  /** A new initializer holding `values` in `dataType`. */
  create(name: string, dims: number[], dataType: number, values: Float32Array): OnnxTensor {
    const tensor = makeTensor({ name, dims, dataType })
    this.write(tensor, values)
    return tensor
  }

  /** Stores every written tensor; returns the side file's bytes, or undefined when nothing went to one. */
  finish(): Uint8Array | undefined {
    const chunks: Uint8Array[] = []
    let sideBytes = 0
    // Growth of the .onnx file: tensors that hold no inline bytes yet (rewritten ones replace their own).
    let newBytes = 0
    for (const [tensor, encoded] of this.pending) if (!tensor.rawData?.byteLength) newBytes += encoded.byteLength
    const external = this.external || this.inlineModelBytes + newBytes > this.maxInlineBytes
    for (const [tensor, encoded] of this.pending) {
      if (!external) {
        setTensorData(tensor, encoded)
        continue
      }
      const bytes = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength)
      clearTensorData(tensor)
      tensor.externalData = [
        { key: 'location', value: this.sideFile },
        { key: 'offset', value: String(sideBytes) },
        { key: 'length', value: String(bytes.byteLength) },
      ]
      tensor.dataLocation = DataLocation.EXTERNAL
      chunks.push(bytes)
      // 64-byte alignment keeps every tensor mappable at its natural alignment.
      sideBytes += Math.ceil(bytes.byteLength / 64) * 64
    }
    this.pending.clear()
    if (chunks.length === 0) return undefined
    const out = new Uint8Array(sideBytes)
    let at = 0
    for (const chunk of chunks) {
      out.set(chunk, at)
      at += Math.ceil(chunk.byteLength / 64) * 64
    }
    return out
  }
}

function encodeAs(values: Float32Array, dataType: number, copy: boolean): Float32Array | Uint16Array {
  if (dataType === DataType.FLOAT16) return float32ArrayToFloat16(values)
  if (dataType === DataType.FLOAT) return copy ? values.slice() : values
  throw new Error(`cannot store LoRA weights as ONNX data type ${dataType}`)
}
