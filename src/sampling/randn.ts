// Standard normal draws bit-compatible with torch.randn on the CPU (float32), so a seed here gives the same
// starting latent as diffusers/ComfyUI with a CPU generator. Two paths, chosen per call as torch chooses them:
// - fewer than 16 values: one Box-Muller pair per two values from 53-bit uniform doubles, the second value
//   cached in the generator (and carried into the next call);
// - 16 or more: 24-bit float uniforms for every slot, Box-Muller over blocks of 16 pairing i with i+8, and when
//   the count is not a multiple of 16 the last 16 slots redrawn and transformed again.
// The vectorised path computes in float32 like torch; torch uses SLEEF log/sin/cos there, so results can differ
// from torch in the last bit or so (see tests/sampling/randn.test.ts for the tolerance).
import { Mt19937 } from './mt19937.js'

const TWO_POW_32 = 4294967296
const TWO_POW_MINUS_24 = 1 / 16777216
const TWO_POW_MINUS_53 = 1 / 9007199254740992
const TWO_PI = 2 * Math.PI
const TWO_PI_F32 = Math.fround(TWO_PI)
const fround = Math.fround

/** torch's 64-bit seed space: negative seeds wrap around as torch does (-1 is 2^64-1). */
function seedToUint32(seed: number | bigint): number {
  if (typeof seed === 'number' && (!Number.isSafeInteger(seed))) {
    throw new RangeError(`randn: seed must be a safe integer or a bigint, got ${seed}`)
  }
  const big = BigInt(seed)
  if (big < -(1n << 63n) || big >= 1n << 64n) {
    throw new RangeError(`randn: seed ${big} is outside torch's 64-bit seed range`)
  }
  return Number(BigInt.asUintN(32, big))
}

export class TorchGenerator {
  private readonly mt: Mt19937
  private cachedNormal: number | null = null

  constructor(seed: number | bigint) {
    this.mt = new Mt19937(seedToUint32(seed))
  }

  /** torch.randn(count, generator=this) in float32. */
  randn(count: number): Float32Array {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`randn: count must be a non-negative integer, got ${count}`)
    }
    const out = new Float32Array(count)
    if (count >= 16) this.fillVectorised(out)
    else for (let i = 0; i < count; i++) out[i] = this.normalDouble()
    return out
  }

  private uniformFloat(): number {
    return (this.mt.nextUint32() & 0xffffff) * TWO_POW_MINUS_24
  }

  private uniformDouble(): number {
    const hi = this.mt.nextUint32()
    const lo = this.mt.nextUint32()
    // random64 = hi << 32 | lo, masked to 53 bits: exact in a double.
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_MINUS_53
  }

  private normalDouble(): number {
    if (this.cachedNormal !== null) {
      const cached = this.cachedNormal
      this.cachedNormal = null
      return cached
    }
    const u1 = this.uniformDouble()
    const u2 = this.uniformDouble()
    const r = Math.sqrt(-2 * Math.log(1 - u2))
    const theta = TWO_PI * u1
    this.cachedNormal = r * Math.sin(theta)
    return r * Math.cos(theta)
  }

  private fillVectorised(data: Float32Array): void {
    const size = data.length
    for (let i = 0; i < size; i++) data[i] = this.uniformFloat()
    for (let i = 0; i + 16 <= size; i += 16) boxMuller16(data, i)
    if (size % 16 !== 0) {
      const start = size - 16
      for (let i = start; i < size; i++) data[i] = this.uniformFloat()
      boxMuller16(data, start)
    }
  }
}

function boxMuller16(data: Float32Array, offset: number): void {
  for (let j = offset; j < offset + 8; j++) {
    const u1 = 1 - data[j]! // [0,1) -> (0,1] for the log
    const u2 = data[j + 8]!
    const radius = fround(Math.sqrt(fround(-2 * fround(Math.log(u1)))))
    const theta = fround(TWO_PI_F32 * u2)
    data[j] = radius * fround(Math.cos(theta))
    data[j + 8] = radius * fround(Math.sin(theta))
  }
}

/** torch.manual_seed(seed); torch.randn(count) on the CPU, as float32. */
export function randn(seed: number | bigint, count: number): Float32Array {
  return new TorchGenerator(seed).randn(count)
}
