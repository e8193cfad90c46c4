// Safetensors files read from one buffer (Node, fetched bytes) or lazily from a Blob (browser File / fetched blob).
// Tensor bytes are subarray views of the one buffer, never copies of the whole file.
import { decodeFloats, isFloatDType } from './dtypes.js'
import { parseHeader, readHeaderLength, SafetensorsError } from './header.js'
import type { SafetensorsHeader, TensorInfo } from './header.js'

export interface FloatTensor {
  readonly shape: readonly number[]
  readonly data: Float32Array
}

/** What LoRA loading needs from a safetensors file, whichever way it is stored. */
export interface SafetensorsSource {
  readonly file: string
  readonly tensors: ReadonlyMap<string, TensorInfo>
  readonly metadata: ReadonlyMap<string, string>
  /** The tensor's float elements as float32 (F16, BF16, F32 and F64; other dtypes are refused by name). */
  readFloats(name: string): Promise<FloatTensor>
}

function infoOf(header: SafetensorsHeader, name: string, file: string): TensorInfo {
  const info = header.tensors.get(name)
  if (!info) throw new SafetensorsError('missing-tensor', `${file}: no tensor named "${name}"`)
  if (!isFloatDType(info.dtype)) {
    throw new SafetensorsError('unsupported-dtype', `${file}: tensor "${name}" has dtype ${info.dtype}, not a float type`)
  }
  return info
}

export class SafetensorsBuffer implements SafetensorsSource {
  readonly tensors: ReadonlyMap<string, TensorInfo>
  readonly metadata: ReadonlyMap<string, string>
  private readonly header: SafetensorsHeader

  constructor(
    private readonly bytes: Uint8Array,
    readonly file = 'safetensors',
  ) {
    const length = readHeaderLength(bytes.subarray(0, 8), bytes.byteLength, file)
    this.header = parseHeader(bytes.subarray(8, 8 + length), bytes.byteLength - 8 - length, file)
    this.tensors = this.header.tensors
    this.metadata = this.header.metadata
  }

  /** A view of the tensor's raw little-endian bytes inside the file buffer. */
  tensorBytes(name: string): Uint8Array {
    const info = this.header.tensors.get(name)
    if (!info) throw new SafetensorsError('missing-tensor', `${this.file}: no tensor named "${name}"`)
    const start = this.header.dataStart
    return this.bytes.subarray(start + info.begin, start + info.end)
  }

  floats(name: string): FloatTensor {
    const info = infoOf(this.header, name, this.file)
    const raw = this.tensorBytes(name)
    return { shape: info.shape, data: decodeFloats(raw, info.dtype as Parameters<typeof decodeFloats>[1]) }
  }

  async readFloats(name: string): Promise<FloatTensor> {
    return this.floats(name)
  }
}

/** Validates the whole header of `bytes` and returns the file view. Throws SafetensorsError only. */
export function readSafetensors(bytes: Uint8Array, file?: string): SafetensorsBuffer {
  return new SafetensorsBuffer(bytes, file)
}

/** Minimal Blob surface (browser Blob/File, Node's Blob) so this module needs no DOM types at runtime. */
export interface BlobLike {
  readonly size: number
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> }
}

export class SafetensorsBlob implements SafetensorsSource {
  readonly tensors: ReadonlyMap<string, TensorInfo>
  readonly metadata: ReadonlyMap<string, string>

  private constructor(
    private readonly blob: BlobLike,
    private readonly header: SafetensorsHeader,
    readonly file: string,
  ) {
    this.tensors = header.tensors
    this.metadata = header.metadata
  }

  /** Reads only the header; tensors are read one by one, when asked for. */
  static async open(blob: BlobLike, file = 'safetensors'): Promise<SafetensorsBlob> {
    const first8 = new Uint8Array(await blob.slice(0, 8).arrayBuffer())
    const length = readHeaderLength(first8, blob.size, file)
    const headerBytes = new Uint8Array(await blob.slice(8, 8 + length).arrayBuffer())
    return new SafetensorsBlob(blob, parseHeader(headerBytes, blob.size - 8 - length, file), file)
  }

  async tensorBytes(name: string): Promise<Uint8Array> {
    const info = this.header.tensors.get(name)
    if (!info) throw new SafetensorsError('missing-tensor', `${this.file}: no tensor named "${name}"`)
    const start = this.header.dataStart
    return new Uint8Array(await this.blob.slice(start + info.begin, start + info.end).arrayBuffer())
  }

  async readFloats(name: string): Promise<FloatTensor> {
    const info = infoOf(this.header, name, this.file)
    const raw = await this.tensorBytes(name)
    return { shape: info.shape, data: decodeFloats(raw, info.dtype as Parameters<typeof decodeFloats>[1]) }
  }
}

export { SafetensorsError }
export type { TensorInfo }
