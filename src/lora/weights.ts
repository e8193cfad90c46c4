// Reading and writing float weights of a decoded model, inline or in external data. Patched and added tensors of a
// model that keeps its weights outside the .onnx file go into one new side file, so the base model's data file is
// shared untouched (no copy of a multi-GB UNet, and the base session and other LoRA sets keep using it).
import { float16ArrayToFloat32, float32ArrayToFloat16 } from '../models/onnx/float16.js'
import { makeTensor } from '../models/onnx/factories.js'
import { clearTensorData, externalDataRef, setTensorData, tensorBytes } from '../models/onnx/tensor-data.js'
import { DataLocation, DataType } from '../models/onnx/types.js'
import type { OnnxTensor } from '../models/onnx/types.js'

export const LORA_DATA_FILE = 'lora_weights.onnx_data'

export class WeightStore {
  /** New float32 values per tensor, written out (inline or to the side file) by `finish`. */
  private readonly pending = new Map<OnnxTensor, Float32Array>()

  constructor(
    private readonly externalFiles: ReadonlyMap<string, Uint8Array>,
    /** Write new data to the side file (true when the model already uses external data). */
    private readonly external: boolean,
    /** The side file's name: a model built on another rewrite's output needs a name of its own (UNet weights, then LoRAs). */
    readonly sideFile: string = LORA_DATA_FILE,
  ) {}

  /** A fresh float32 copy of a FLOAT or FLOAT16 tensor's current values (including earlier writes). */
  readCopy(tensor: OnnxTensor): Float32Array {
    const written = this.pending.get(tensor)
    if (written) return written.slice()
    const ref = externalDataRef(tensor)
    let file: Uint8Array | undefined
    if (ref) {
      file = this.externalFiles.get(ref.location)
      if (!file) throw new Error(`tensor "${tensor.name ?? '?'}" needs external data file "${ref.location}", which was not provided`)
    }
    // A fresh, aligned copy of the bytes: never a view of the model's buffer (Buffer.slice would be one).
    const bytes = new Uint8Array(tensorBytes(tensor, file))
    if (tensor.dataType === DataType.FLOAT) return new Float32Array(bytes.buffer)
    if (tensor.dataType === DataType.FLOAT16) return float16ArrayToFloat32(new Uint16Array(bytes.buffer))
    throw new Error(`tensor "${tensor.name ?? '?'}" is not a float tensor (ONNX data type ${tensor.dataType})`)
  }

  /** Sets the tensor's new values; they are stored in the tensor's own dtype (FLOAT or FLOAT16) by `finish`. */
  write(tensor: OnnxTensor, values: Float32Array): void {
    this.pending.set(tensor, values)
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
    for (const [tensor, values] of this.pending) {
      const encoded = encodeAs(values, tensor.dataType ?? DataType.FLOAT)
      if (!this.external) {
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

function encodeAs(values: Float32Array, dataType: number): Float32Array | Uint16Array {
  if (dataType === DataType.FLOAT16) return float32ArrayToFloat16(values)
  if (dataType === DataType.FLOAT) return values
  throw new Error(`cannot store LoRA weights as ONNX data type ${dataType}`)
}
