// Just enough of WebAssembly's binary format to write one small module by hand: LEB128 numbers, sections and the
// opcodes the merge kernel uses (names as in the spec's text format). Kept apart from the kernel so each reads alone.

export type Bytes = readonly number[]

export function unsignedLeb(value: number): number[] {
  const out: number[] = []
  let rest = value >>> 0
  do {
    const byte = rest & 0x7f
    rest >>>= 7
    out.push(rest === 0 ? byte : byte | 0x80)
  } while (rest !== 0)
  return out
}

export function signedLeb(value: number): number[] {
  const out: number[] = []
  let rest = value | 0
  for (;;) {
    const byte = rest & 0x7f
    rest >>= 7
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)
    out.push(done ? byte : byte | 0x80)
    if (done) return out
  }
}

/** A vector: its length, then its items. */
export function vector(items: readonly Bytes[]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()]
}

export function section(id: number, body: Bytes): number[] {
  return [id, ...unsignedLeb(body.length), ...body]
}

export const valueType = { i32: 0x7f, f64: 0x7c, v128: 0x7b } as const

/** A memory operand: alignment as a power of two, and a constant offset. */
const memarg = (alignLog2: number, offset = 0): number[] => [...unsignedLeb(alignLog2), ...unsignedLeb(offset)]
const simd = (code: number, ...immediates: number[]): number[] => [0xfd, ...unsignedLeb(code), ...immediates]

export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...unsignedLeb(depth)],
  brIf: (depth: number) => [0x0d, ...unsignedLeb(depth)],
  localGet: (index: number) => [0x20, ...unsignedLeb(index)],
  localSet: (index: number) => [0x21, ...unsignedLeb(index)],
  localTee: (index: number) => [0x22, ...unsignedLeb(index)],
  /** float32 at the address on the stack plus `offset` bytes. */
  f32Load: (offset = 0) => [0x2a, ...memarg(2, offset)],
  f32Store: [0x38, ...memarg(2)],
  i32Const: (value: number) => [0x41, ...signedLeb(value)],
  i32Eqz: [0x45],
  i32GtS: [0x4a],
  i32GeU: [0x4f],
  f64Eq: [0x61],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32And: [0x71],
  i32Shl: [0x74],
  f64Add: [0xa0],
  f64Mul: [0xa2],
  f32DemoteF64: [0xb6],
  f64PromoteF32: [0xbb],
  f64Const0: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  // SIMD: two float32 loaded into the low lanes, widened to float64; narrowed back and the low 8 bytes stored.
  v128Load64Zero: simd(93, ...memarg(3)),
  v128Store64Lane0: simd(91, ...memarg(3), 0),
  f64x2Splat: simd(20),
  f64x2PromoteLowF32x4: simd(95),
  f32x4DemoteF64x2Zero: simd(94),
  f64x2Add: simd(240),
  f64x2Mul: simd(242),
} as const

/** The whole module: magic and version, then the sections in the order the format requires. */
export function moduleBytes(sections: readonly Bytes[]): Uint8Array<ArrayBuffer> {
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()])
}
