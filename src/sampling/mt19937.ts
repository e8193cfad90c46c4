// MT19937 exactly as torch's CPUGeneratorImpl runs it (at::mt19937): seeded from the low 32 bits of the
// 64-bit seed with the reference init_genrand recurrence, standard twist and tempering.

const N = 624
const M = 397
const MATRIX_A = 0x9908b0df
const UPPER_MASK = 0x80000000
const LOWER_MASK = 0x7fffffff

export class Mt19937 {
  private readonly state = new Uint32Array(N)
  private index = N

  constructor(seed32: number) {
    const s = this.state
    s[0] = seed32 >>> 0
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1]!
      const x = prev ^ (prev >>> 30)
      // 1812433253 * x + j in uint32 arithmetic (Math.imul keeps the low 32 bits).
      s[j] = (Math.imul(1812433253, x) + j) >>> 0
    }
  }

  /** Next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.index >= N) this.twist()
    let y = this.state[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  private twist(): void {
    const s = this.state
    for (let i = 0; i < N; i++) {
      const y = (s[i]! & UPPER_MASK) | (s[(i + 1) % N]! & LOWER_MASK)
      s[i] = s[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)
    }
    this.index = 0
  }
}
