// Writes safetensors files (fixtures, tests). Deterministic: tensors in the given order, header padded with spaces
// to an 8-byte boundary as the reference writer does.

export interface TensorToWrite {
  readonly name: string
  readonly dtype: 'F16' | 'F32' | 'BF16'
  readonly shape: readonly number[]
  /** Little-endian element bytes. */
  readonly data: Uint8Array
}

/** What the header needs to know of a tensor: its bytes can come later (a streaming writer). */
export interface TensorLayout {
  readonly name: string
  readonly dtype: TensorToWrite['dtype']
  readonly shape: readonly number[]
  readonly byteLength: number
}

/** The 8-byte length and the JSON header (space-padded to 8 bytes) for tensors stored in the given order. */
export function safetensorsHeader(tensors: readonly TensorLayout[], metadata?: ReadonlyMap<string, string>): Uint8Array {
  // A null-prototype object keeps a tensor named "__proto__" an ordinary key for JSON.stringify.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  if (metadata && metadata.size > 0) header['__metadata__'] = Object.fromEntries(metadata)
  let offset = 0
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + t.byteLength] }
    offset += t.byteLength
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const padded = Math.ceil(json.byteLength / 8) * 8
  const out = new Uint8Array(8 + padded).fill(0x20)
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true)
  out.set(json, 8)
  return out
}

export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata?: ReadonlyMap<string, string>): Uint8Array {
  const head = safetensorsHeader(tensors.map((t) => ({ ...t, byteLength: t.data.byteLength })), metadata)
  const out = new Uint8Array(head.byteLength + tensors.reduce((s, t) => s + t.data.byteLength, 0))
  out.set(head, 0)
  let at = head.byteLength
  for (const t of tensors) {
    out.set(t.data, at)
    at += t.data.byteLength
  }
  return out
}

/** Little-endian bytes of float32 values. */
export function float32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4)
  const view = new DataView(out.buffer)
  values.forEach((v, i) => view.setFloat32(i * 4, v, true))
  return out
}
