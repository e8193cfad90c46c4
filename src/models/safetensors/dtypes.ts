// Safetensors dtypes: element sizes for validation, and conversion of the float ones to float32.
import { float16BitsToFloat32 } from '../onnx/float16.js'

/** Every dtype the format defines, with its size in bytes. Sub-byte float types (F4, F6_*) are refused by name. */
export const DTYPE_SIZES: ReadonlyMap<string, number> = new Map([
  ['BOOL', 1],
  ['U8', 1],
  ['I8', 1],
  ['F8_E5M2', 1],
  ['F8_E4M3', 1],
  ['F8_E8M0', 1],
  ['I16', 2],
  ['U16', 2],
  ['F16', 2],
  ['BF16', 2],
  ['I32', 4],
  ['U32', 4],
  ['F32', 4],
  ['I64', 8],
  ['U64', 8],
  ['F64', 8],
])

/** dtypes this project turns into float32 weights; the others parse but are refused when read as floats. */
export const FLOAT_DTYPES = ['F16', 'BF16', 'F32', 'F64'] as const
export type FloatDType = (typeof FLOAT_DTYPES)[number]

export function isFloatDType(dtype: string): dtype is FloatDType {
  return (FLOAT_DTYPES as readonly string[]).includes(dtype)
}

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** Reads little-endian float elements of `dtype` from `bytes` (any alignment) into a new Float32Array. */
export function decodeFloats(bytes: Uint8Array, dtype: FloatDType): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const size = dtype === 'F64' ? 8 : dtype === 'F32' ? 4 : 2
  const out = new Float32Array(bytes.byteLength / size)
  for (let i = 0; i < out.length; i++) {
    const at = i * size
    switch (dtype) {
      case 'F16':
        out[i] = float16BitsToFloat32(view.getUint16(at, true))
        break
      case 'BF16':
        u32[0] = view.getUint16(at, true) << 16
        out[i] = f32[0]!
        break
      case 'F32':
        out[i] = view.getFloat32(at, true)
        break
      case 'F64':
        out[i] = view.getFloat64(at, true)
        break
    }
  }
  return out
}
