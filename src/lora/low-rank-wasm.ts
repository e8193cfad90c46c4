// The merge kernel (matrix.ts's addLowRankProduct) as WebAssembly SIMD: two columns per instruction in float64, with
// the JS loop's exact operations and order, so the result is the same bit for bit at about twice the speed (and from
// its first call: no waiting for the JS optimiser on a cold worker). Written out by hand (wasm-bytes.ts): the module
// is under 1 KB and needs no toolchain. Where WebAssembly SIMD is missing, matrix.ts keeps using the JS loop.
import { moduleBytes, op, section, unsignedLeb, valueType, vector, type Bytes } from './wasm-bytes.js'

// Locals: the parameters, then the working variables. Addresses are byte offsets into the module's memory.
const TARGET = 0
const ROWS = 1
const WIDTH = 2
const RANK = 3
const LEFT = 4
const RIGHT = 5
const SCALE = 6
const ROW = 7 // current target row
const LEFT_ROW = 8 // current row of `left`
const R = 9 // rank index
const J = 10 // column, in bytes
const WIDTH_BYTES = 11
const PAIR_BYTES = 12 // the columns handled two at a time, in bytes
const S = 13 // 8 locals: rows r..r+7 of `right`
const C = 21 // 8 float64 locals: scale * left[i, r + k]
const CV = 29 // 8 v128 locals: the same, in both lanes
const I32_LOCALS = C - ROW
const F64_LOCALS = CV - C
const V128_LOCALS = 8

const get = op.localGet
const set = op.localSet

/** Two columns at once (SIMD) or the odd last one: how to load `base + J` widened to float64, and the arithmetic. */
interface Lanes {
  load(base: number): Bytes
  readonly mul: Bytes
  readonly add: Bytes
  coefficient(k: number): Bytes
  /** Narrows the value on the stack and stores it at the address below it. */
  readonly store: Bytes
}

const pairLanes: Lanes = {
  load: (base) => [...get(base), ...get(J), ...op.i32Add, ...op.v128Load64Zero, ...op.f64x2PromoteLowF32x4],
  mul: op.f64x2Mul,
  add: op.f64x2Add,
  coefficient: (k) => get(CV + k),
  store: [...op.f32x4DemoteF64x2Zero, ...op.v128Store64Lane0],
}

const oneLane: Lanes = {
  load: (base) => [...get(base), ...get(J), ...op.i32Add, ...op.f32Load(), ...op.f64PromoteF32],
  mul: op.f64Mul,
  add: op.f64Add,
  coefficient: (k) => get(C + k),
  store: [...op.f32DemoteF64, ...op.f32Store],
}

/** ((c[first] * s[first] + c[first+1] * s[first+1]) + ...) over `count` ranks: the JS loop's grouping. */
function products(lanes: Lanes, first: number, count: number): Bytes {
  const out: number[] = []
  for (let k = first; k < first + count; k++) {
    out.push(...lanes.coefficient(k), ...lanes.load(S + k), ...lanes.mul)
    if (k > first) out.push(...lanes.add)
  }
  return out
}

/** target + products, added in the JS loop's order: (t + first four) + last four for a block of 8, else t + one. */
function update(lanes: Lanes, ranks: 8 | 1): Bytes {
  const sum = ranks === 8 ? [...products(lanes, 0, 4), ...lanes.add, ...products(lanes, 4, 4), ...lanes.add] : [...products(lanes, 0, 1), ...lanes.add]
  return [...get(ROW), ...get(J), ...op.i32Add, ...lanes.load(ROW), ...sum, ...lanes.store]
}

/** target[i, :] updated over `ranks` ranks (8, a block, or 1, the remainder: the JS loop rounds to float32 after each). */
function columns(ranks: 8 | 1): Bytes {
  return [
    ...op.i32Const(0), ...set(J),
    ...op.block, ...op.loop,
    ...get(J), ...get(PAIR_BYTES), ...op.i32GeU, ...op.brIf(1),
    ...update(pairLanes, ranks),
    ...get(J), ...op.i32Const(8), ...op.i32Add, ...set(J),
    ...op.br(0),
    ...op.end, ...op.end,
    // An odd width leaves one column (J = PAIR_BYTES now).
    ...get(WIDTH), ...op.i32Const(1), ...op.i32And, ...op.if, ...update(oneLane, ranks), ...op.end,
  ]
}

/** C[k] = scale * left[i, r + k] and its splat, S[k] = the address of right[r + k, 0], for k < count. */
function coefficients(count: number): Bytes {
  const out: number[] = []
  for (let k = 0; k < count; k++) {
    out.push(...get(SCALE), ...get(LEFT_ROW), ...get(R), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.f32Load(k * 4), ...op.f64PromoteF32, ...op.f64Mul)
    out.push(...op.localTee(C + k), ...op.f64x2Splat, ...set(CV + k))
    out.push(...get(RIGHT), ...get(R), ...op.i32Const(k), ...op.i32Add, ...get(WIDTH_BYTES), ...op.i32Mul, ...op.i32Add, ...set(S + k))
  }
  return out
}

const addRanks = (by: number): Bytes => [...get(R), ...op.i32Const(by), ...op.i32Add, ...set(R)]

function kernelBody(): number[] {
  const code = [
    ...get(WIDTH), ...op.i32Const(2), ...op.i32Shl, ...set(WIDTH_BYTES),
    ...get(WIDTH), ...op.i32Const(-2), ...op.i32And, ...op.i32Const(2), ...op.i32Shl, ...set(PAIR_BYTES),
    ...get(TARGET), ...set(ROW),
    ...get(LEFT), ...set(LEFT_ROW),
    ...op.block, ...op.loop, // rows
    ...get(ROWS), ...op.i32Eqz, ...op.brIf(1),
    ...op.i32Const(0), ...set(R),
    ...op.block, ...op.loop, // blocks of eight ranks
    ...get(R), ...op.i32Const(8), ...op.i32Add, ...get(RANK), ...op.i32GtS, ...op.brIf(1),
    ...coefficients(8), ...columns(8), ...addRanks(8),
    ...op.br(0),
    ...op.end, ...op.end,
    ...op.block, ...op.loop, // the remaining ranks, one at a time; a zero coefficient is skipped, as in JS
    ...get(R), ...get(RANK), ...op.i32GeU, ...op.brIf(1),
    ...coefficients(1),
    ...get(C), ...op.f64Const0, ...op.f64Eq, ...op.i32Eqz, ...op.if, ...columns(1), ...op.end,
    ...addRanks(1),
    ...op.br(0),
    ...op.end, ...op.end,
    ...get(ROW), ...get(WIDTH_BYTES), ...op.i32Add, ...set(ROW),
    ...get(LEFT_ROW), ...get(RANK), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...set(LEFT_ROW),
    ...get(ROWS), ...op.i32Const(1), ...op.i32Sub, ...set(ROWS),
    ...op.br(0),
    ...op.end, ...op.end,
    ...op.end,
  ]
  const locals = vector([
    [...unsignedLeb(I32_LOCALS), valueType.i32],
    [...unsignedLeb(F64_LOCALS), valueType.f64],
    [...unsignedLeb(V128_LOCALS), valueType.v128],
  ])
  const body = [...locals, ...code]
  return [...unsignedLeb(body.length), ...body]
}

const EXPORT_NAME = [...'addLowRank'].map((c) => c.charCodeAt(0))
const MEMORY_NAME = [...'memory'].map((c) => c.charCodeAt(0))

/** The module: one function (target, rows, width, rank, left, right: i32; scale: f64) and its exported memory. */
export function lowRankModuleBytes(): Uint8Array<ArrayBuffer> {
  const i32 = valueType.i32
  const signature = [0x60, ...vector([[i32], [i32], [i32], [i32], [i32], [i32], [valueType.f64]]), ...vector([])]
  return moduleBytes([
    section(1, vector([signature])), // types
    section(3, vector([unsignedLeb(0)])), // functions
    section(5, vector([[0x00, ...unsignedLeb(1)]])), // memory: at least one page
    section(7, vector([
      [...unsignedLeb(EXPORT_NAME.length), ...EXPORT_NAME, 0x00, 0x00],
      [...unsignedLeb(MEMORY_NAME.length), ...MEMORY_NAME, 0x02, 0x00],
    ])), // exports
    section(10, vector([kernelBody()])), // code
  ])
}

interface Kernel {
  readonly memory: WebAssembly.Memory
  readonly addLowRank: (target: number, rows: number, width: number, rank: number, left: number, right: number, scale: number) => void
}

const PAGE_BYTES = 65536
/** Memory kept between calls; an instance that grew past it is dropped after its call (WebAssembly memory never shrinks). */
const KEEP_BYTES = 64 * 1024 * 1024
/** A 32-bit memory's most, less a page. */
const MAX_BYTES = 2 ** 32 - PAGE_BYTES

/** The compiled module, or null where this runtime has no WebAssembly SIMD. */
let compiled: WebAssembly.Module | null | undefined
let kernel: Kernel | undefined

function compile(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled
  try {
    const bytes = lowRankModuleBytes()
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null
  } catch {
    compiled = null
  }
  return compiled
}

function instance(): Kernel | undefined {
  if (kernel) return kernel
  const module = compile()
  if (!module) return undefined
  try {
    const { exports } = new WebAssembly.Instance(module)
    kernel = { memory: exports['memory'] as WebAssembly.Memory, addLowRank: exports['addLowRank'] as Kernel['addLowRank'] }
    return kernel
  } catch {
    return undefined // no memory for even one page: the JS loop needs none
  }
}

/** Whether this runtime runs the WebAssembly kernel (false: matrix.ts's JS loop is used). */
export function lowRankWasmAvailable(): boolean {
  return compile() !== null
}

/** target[rows, width] += scale * left[rows, rank] @ right[rank, width], all row-major float32. */
export type LowRankProductArgs = [target: Float32Array, rows: number, width: number, rank: number, left: Float32Array, right: Float32Array, scale: number]

/**
 * That product added in the WebAssembly kernel. Returns false, having changed nothing, where it cannot run (no SIMD,
 * too little memory, arrays shorter than their shapes).
 */
export function addLowRankProductWasm(...[target, rows, width, rank, left, right, scale]: LowRankProductArgs): boolean {
  const [targetLength, leftLength, rightLength] = [rows * width, rows * rank, rank * width]
  if (target.length < targetLength || left.length < leftLength || right.length < rightLength) return false
  const bytes = (targetLength + leftLength + rightLength) * 4
  if (bytes > MAX_BYTES) return false
  const run = instance()
  if (!run) return false
  const missing = bytes - run.memory.buffer.byteLength
  if (missing > 0) {
    try {
      run.memory.grow(Math.ceil(missing / PAGE_BYTES))
    } catch {
      return false // out of memory: the JS loop needs none
    }
  }
  const heap = new Float32Array(run.memory.buffer)
  heap.set(target.subarray(0, targetLength))
  heap.set(left.subarray(0, leftLength), targetLength)
  heap.set(right.subarray(0, rightLength), targetLength + leftLength)
  run.addLowRank(0, rows, width, rank, targetLength * 4, (targetLength + leftLength) * 4, scale)
  target.set(heap.subarray(0, targetLength))
  if (run.memory.buffer.byteLength > KEEP_BYTES) kernel = undefined
  return true
}
