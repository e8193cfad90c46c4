// Host tensor helpers: construction with checks, float16 bits <-> float32, and converting a feed to the dtype a
// session input declares (fp16 UNets take float16 samples; exports differ on int32 vs int64 ids and timesteps).

import { float16ArrayToFloat32, float16BitsToFloat32, float32ArrayToFloat16, float32ToFloat16Bits } from '../models/onnx/float16.js'
import type { DeviceTensor, HostTensor, RunFeed, TensorArray, TensorDType } from './types.js'

export { float16ArrayToFloat32, float16BitsToFloat32, float32ArrayToFloat16, float32ToFloat16Bits }

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1)
}

const ARRAY_OF: Record<TensorDType, new (length: number) => TensorArray> = {
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
}

/** A HostTensor after checking that the array type fits the dtype and its length fits the dims. */
export function hostTensor(dtype: TensorDType, dims: readonly number[], data: TensorArray): HostTensor {
  if (!(data instanceof ARRAY_OF[dtype])) {
    throw new Error(`${dtype} tensor needs a ${ARRAY_OF[dtype].name}, got ${data.constructor.name}`)
  }
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`invalid tensor dims [${dims.join(', ')}]`)
  if (elementCount(dims) !== data.length) {
    throw new Error(`tensor dims [${dims.join(', ')}] hold ${elementCount(dims)} values, data has ${data.length}`)
  }
  return { dtype, dims: [...dims], data }
}

function toNumbers(tensor: HostTensor): Float64Array {
  const { data } = tensor
  const out = new Float64Array(data.length)
  if (tensor.dtype === 'float16') for (let i = 0; i < data.length; i++) out[i] = float16BitsToFloat32(data[i] as number)
  else if (data instanceof BigInt64Array) for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!)
  else out.set(data as Exclude<TensorArray, BigInt64Array>)
  return out
}

/** Float -> integer conversions round half away from zero (a timestep of 999.0000001 means 999). */
function roundToInteger(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new Error(`cannot convert ${value} to an integer for ${what}`)
  return Math.round(value)
}

/**
 * Converts `tensor` to `dtype`. Same dtype returns the tensor itself. float32 <-> float16 round to nearest even;
 * floats -> integers round; int64 -> int32 checks the range. `what` names the input in error messages.
 */
export function convertTensor(tensor: HostTensor, dtype: TensorDType, what = 'tensor'): HostTensor {
  if (tensor.dtype === dtype) return tensor
  const { dims } = tensor
  if (tensor.dtype === 'float32' && dtype === 'float16') return hostTensor(dtype, dims, float32ArrayToFloat16(tensor.data as Float32Array))
  if (tensor.dtype === 'float16' && dtype === 'float32') return hostTensor(dtype, dims, float16ArrayToFloat32(tensor.data as Uint16Array))
  const values = toNumbers(tensor)
  const isFloatSource = tensor.dtype === 'float32' || tensor.dtype === 'float16'
  switch (dtype) {
    case 'float32':
      return hostTensor(dtype, dims, Float32Array.from(values))
    case 'float16':
      return hostTensor(dtype, dims, float32ArrayToFloat16(values))
    case 'int64': {
      const out = new BigInt64Array(values.length)
      for (let i = 0; i < values.length; i++) out[i] = BigInt(isFloatSource ? roundToInteger(values[i]!, what) : values[i]!)
      return hostTensor(dtype, dims, out)
    }
    case 'int32': {
      const out = new Int32Array(values.length)
      for (let i = 0; i < values.length; i++) {
        const v = isFloatSource ? roundToInteger(values[i]!, what) : values[i]!
        if (v < -0x80000000 || v > 0x7fffffff) throw new Error(`${what}: value ${v} does not fit int32`)
        out[i] = v
      }
      return hostTensor(dtype, dims, out)
    }
    case 'uint8':
    case 'bool': {
      const out = new Uint8Array(values.length)
      for (let i = 0; i < values.length; i++) out[i] = dtype === 'bool' ? (values[i] !== 0 ? 1 : 0) : values[i]!
      return hostTensor(dtype, dims, out)
    }
  }
}

/** float32 view of any numeric host tensor (float16 decoded, integers converted). */
export function toFloat32(tensor: HostTensor): Float32Array {
  return convertTensor(tensor, 'float32').data as Float32Array
}

export function isDeviceTensor(feed: RunFeed): feed is DeviceTensor {
  return (feed as DeviceTensor).location === 'device'
}
