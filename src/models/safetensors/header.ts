// Safetensors header validation, following the checks of the format's reference parser (huggingface/safetensors):
// header length capped and inside the file, UTF-8 JSON object, known dtypes, size = shape x dtype size (overflow
// checked), offsets sorted and contiguous from 0 with the last one ending at the end of the file, string metadata.
import { DTYPE_SIZES } from './dtypes.js'
import { foreignCheckpointFormat, foreignCheckpointMessage } from './foreign-format.js'

export type SafetensorsErrorCode =
  | 'file-too-small'
  | 'header-too-large'
  | 'header-length'
  | 'header-utf8'
  | 'header-json'
  | 'header-not-object'
  | 'tensor-info'
  | 'unknown-dtype'
  | 'size-overflow'
  | 'size-mismatch'
  | 'offsets'
  | 'incomplete-buffer'
  | 'metadata'
  | 'missing-tensor'
  | 'unsupported-dtype'
  | 'foreign-format'

/** The only error the reader throws; `code` names the failed check, the message names file and tensor. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError'
  constructor(
    readonly code: SafetensorsErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export const MAX_HEADER_BYTES = 100_000_000

export interface TensorInfo {
  readonly name: string
  readonly dtype: string
  readonly shape: readonly number[]
  /** Byte range relative to the start of the data section (after the 8-byte length and the header). */
  readonly begin: number
  readonly end: number
}

export interface SafetensorsHeader {
  /** Tensors in file order. A Map, so names such as `__proto__` are plain keys. */
  readonly tensors: ReadonlyMap<string, TensorInfo>
  readonly metadata: ReadonlyMap<string, string>
  /** Byte offset of the data section in the file. */
  readonly dataStart: number
}

/** Reads the header length from the first 8 bytes and checks it against the cap and the file size. */
export function readHeaderLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.byteLength < 8) {
    throw new SafetensorsError('file-too-small', `${file}: file is ${fileSize} bytes, shorter than the 8-byte header length`)
  }
  const view = new DataView(first8.buffer, first8.byteOffset, 8)
  const n = view.getBigUint64(0, true)
  // A length that cannot be right may be a PyTorch checkpoint renamed: say what it is and how to convert it.
  const foreign = n > BigInt(MAX_HEADER_BYTES) || 8n + n > BigInt(fileSize) ? foreignCheckpointFormat(first8) : undefined
  if (foreign !== undefined) throw new SafetensorsError('foreign-format', foreignCheckpointMessage(file, foreign))
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError('header-too-large', `${file}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`)
  }
  const length = Number(n)
  if (8 + length > fileSize) {
    throw new SafetensorsError('header-length', `${file}: header length ${length} runs past the end of the ${fileSize}-byte file`)
  }
  return length
}

/** Parses and validates the JSON header (bytes 8..8+length); `dataSize` is the file size minus the header. */
export function parseHeader(headerBytes: Uint8Array, dataSize: number, file: string): SafetensorsHeader {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes)
  } catch {
    throw new SafetensorsError('header-utf8', `${file}: header is not valid UTF-8`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new SafetensorsError('header-json', `${file}: header is not valid JSON (${(e as Error).message})`)
  }
  if (!isPlainRecord(json)) throw new SafetensorsError('header-not-object', `${file}: header is not a JSON object`)

  const metadata = new Map<string, string>()
  const infos: TensorInfo[] = []
  // Object.keys lists own keys only; JSON.parse makes "__proto__" an own data property, never a prototype change.
  for (const name of Object.keys(json)) {
    const value = json[name]
    if (name === '__metadata__') {
      readMetadata(value, metadata, file)
      continue
    }
    infos.push(readTensorInfo(name, value, file))
  }
  checkOffsets(infos, dataSize, file)
  return { tensors: new Map(infos.map((t) => [t.name, t])), metadata, dataStart: 8 + headerBytes.byteLength }
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function readMetadata(value: unknown, into: Map<string, string>, file: string): void {
  if (!isPlainRecord(value)) throw new SafetensorsError('metadata', `${file}: __metadata__ is not an object of strings`)
  for (const key of Object.keys(value)) {
    const v = value[key]
    if (typeof v !== 'string') {
      throw new SafetensorsError('metadata', `${file}: __metadata__ entry "${key}" is not a string`)
    }
    into.set(key, v)
  }
}

function readTensorInfo(name: string, value: unknown, file: string): TensorInfo {
  const where = `${file}: tensor "${name}"`
  if (!isPlainRecord(value)) throw new SafetensorsError('tensor-info', `${where}: entry is not an object`)
  const { dtype, shape, data_offsets: offsets } = value
  if (typeof dtype !== 'string') throw new SafetensorsError('tensor-info', `${where}: dtype is not a string`)
  const size = DTYPE_SIZES.get(dtype)
  if (size === undefined) throw new SafetensorsError('unknown-dtype', `${where}: unknown dtype "${dtype}"`)
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw new SafetensorsError('tensor-info', `${where}: shape is not an array of non-negative integers`)
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    throw new SafetensorsError('tensor-info', `${where}: data_offsets is not a pair of non-negative integers`)
  }
  const [begin, end] = offsets as [number, number]
  if (end < begin) throw new SafetensorsError('offsets', `${where}: data_offsets [${begin}, ${end}] end before they begin`)
  // BigInt: shape products overflow float precision long before they overflow u64 in the reference parser.
  let bytes = BigInt(size)
  for (const d of shape as number[]) bytes *= BigInt(d)
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SafetensorsError('size-overflow', `${where}: shape [${shape.join(', ')}] x ${size} bytes overflows`)
  }
  if (Number(bytes) !== end - begin) {
    throw new SafetensorsError(
      'size-mismatch',
      `${where}: ${dtype} shape [${shape.join(', ')}] needs ${bytes} bytes but data_offsets span ${end - begin}`,
    )
  }
  return { name, dtype, shape: shape as number[], begin, end }
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function checkOffsets(infos: TensorInfo[], dataSize: number, file: string): void {
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end)
  let expected = 0
  for (const t of sorted) {
    if (t.begin !== expected) {
      const problem = t.begin > expected ? `a gap before it (expected offset ${expected})` : `overlaps the previous tensor`
      throw new SafetensorsError('offsets', `${file}: tensor "${t.name}" at offset ${t.begin} leaves ${problem}`)
    }
    expected = t.end
  }
  if (expected !== dataSize) {
    throw new SafetensorsError(
      'incomplete-buffer',
      `${file}: tensors end at byte ${expected} of the data section but it holds ${dataSize} bytes`,
    )
  }
}
