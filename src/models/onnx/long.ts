// protobufjs handles 64-bit integers losslessly only when `util.Long` is set; without it they become lossy JS
// numbers (INT64_MAX, common in Slice `ends`, would silently change). Bundlers may drop the optional `long`
// package, so when it is missing we install this minimal Long-compatible class: protobufjs only constructs it and
// calls the static factories below. Only encoding uses protobufjs now (decode.ts reads int64s itself); the codec
// hands it each bigint as a Long-like object.

import protobuf from 'protobufjs/light.js'

class MinimalLong {
  constructor(
    readonly low: number,
    readonly high: number,
    readonly unsigned: boolean,
  ) {}

  static fromBits(low: number, high: number, unsigned?: boolean): MinimalLong {
    return new MinimalLong(low | 0, high | 0, Boolean(unsigned))
  }

  static fromBigInt(value: bigint, unsigned?: boolean): MinimalLong {
    const bits = BigInt.asUintN(64, value)
    return MinimalLong.fromBits(Number(bits & 0xffffffffn), Number(bits >> 32n), unsigned)
  }

  static fromNumber(value: number, unsigned?: boolean): MinimalLong {
    return MinimalLong.fromBigInt(BigInt(Math.trunc(value)), unsigned)
  }

  static fromString(value: string, unsigned?: boolean): MinimalLong {
    return MinimalLong.fromBigInt(BigInt(value), unsigned)
  }

  static fromValue(value: number | string | { low: number; high: number; unsigned?: boolean }, unsigned?: boolean) {
    if (typeof value === 'number') return MinimalLong.fromNumber(value, unsigned)
    if (typeof value === 'string') return MinimalLong.fromString(value, unsigned)
    return MinimalLong.fromBits(value.low, value.high, unsigned ?? value.unsigned)
  }

  static isLong(value: unknown): boolean {
    return value instanceof MinimalLong
  }

  toBigInt(): bigint {
    const bits = (BigInt(this.high >>> 0) << 32n) | BigInt(this.low >>> 0)
    return this.unsigned ? bits : BigInt.asIntN(64, bits)
  }

  toNumber(): number {
    return Number(this.toBigInt())
  }

  toString(): string {
    return this.toBigInt().toString()
  }
}

/** Makes protobufjs decode int64 fields as Long-like {low, high} objects (idempotent). */
export function installLongSupport(): void {
  const util = protobuf.util as unknown as { Long: unknown }
  if (util.Long) return
  util.Long = MinimalLong
  protobuf.configure()
}

/** bigint -> the Long-like object protobufjs' writer accepts (it reads .low/.high). */
export function bigIntToLong(value: bigint): { low: number; high: number; unsigned: boolean } {
  const bits = BigInt.asUintN(64, value)
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned: false }
}
