import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readSafetensors, SafetensorsBlob, SafetensorsError } from '../../src/models/safetensors/reader.js'
import { encodeSafetensors, float32Bytes } from '../../src/models/safetensors/writer.js'
import { float32ToFloat16Bits as floatToHalf } from '../../src/models/onnx/float16.js'

/** A file with a hand-written header (any JSON text) followed by `dataBytes` zero bytes. */
function rawFile(header: string, dataBytes: number, lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header)
  const out = new Uint8Array(8 + json.byteLength + dataBytes)
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.byteLength), true)
  out.set(json, 8)
  return out
}

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof SafetensorsError) return e.code
    throw e
  }
  return 'ok'
}

const tensor = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] })

describe('safetensors reader', () => {
  it('reads F32 and F16 tensors and string metadata', () => {
    const f32 = float32Bytes(new Float32Array([1, -2.5, 3, 0.125]))
    const f16 = new Uint8Array(4)
    new DataView(f16.buffer).setUint16(0, floatToHalf(0.5), true)
    new DataView(f16.buffer).setUint16(2, floatToHalf(-65504), true)
    const file = encodeSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [2, 2], data: f32 },
        { name: 'b', dtype: 'F16', shape: [2], data: f16 },
      ],
      new Map([['format', 'pt']]),
    )
    const st = readSafetensors(file, 'x.safetensors')
    expect([...st.tensors.keys()]).toEqual(['a', 'b'])
    expect(Array.from(st.floats('a').data)).toEqual([1, -2.5, 3, 0.125])
    expect(Array.from(st.floats('b').data)).toEqual([0.5, -65504])
    expect(st.metadata.get('format')).toBe('pt')
    // A view into the file buffer, not a copy.
    expect(st.tensorBytes('a').buffer).toBe(file.buffer)
  })

  it('reads BF16 and refuses integer tensors as floats by name', () => {
    const header = JSON.stringify({ w: tensor('BF16', [1], 0, 2), i: tensor('I64', [1], 2, 10) })
    const file = rawFile(header, 10)
    new DataView(file.buffer).setUint16(8 + header.length, 0x3fc0, true) // bf16 1.5
    const st = readSafetensors(file)
    expect(st.floats('w').data[0]).toBe(1.5)
    expect(() => st.floats('i')).toThrow(/"i" has dtype I64/)
    expect(() => st.floats('nope')).toThrow(/no tensor named "nope"/)
  })

  it('rejects each malformed header by name', () => {
    expect(codeOf(() => readSafetensors(new Uint8Array(5)))).toBe('file-too-small')
    expect(codeOf(() => readSafetensors(rawFile('{}', 0, 100_000_001n)))).toBe('header-too-large')
    expect(codeOf(() => readSafetensors(rawFile('{}', 0, 3n)))).toBe('header-length')
    expect(codeOf(() => readSafetensors(rawFile('{"a":', 0)))).toBe('header-json')
    expect(codeOf(() => readSafetensors(rawFile('[1,2]', 0)))).toBe('header-not-object')
    const badUtf8 = rawFile('{"\u00e9":1}', 0)
    badUtf8[10] = 0xff
    expect(codeOf(() => readSafetensors(badUtf8))).toBe('header-utf8')
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify({ t: tensor('Q8', [1], 0, 1) }), 1)))).toBe('unknown-dtype')
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify({ t: tensor('F32', [3], 0, 8) }), 8)))).toBe('size-mismatch')
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify({ t: tensor('F32', [2 ** 30, 2 ** 30], 0, 8) }), 8)))).toBe(
      'size-overflow',
    )
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify({ t: tensor('F32', [-1], 0, 4) }), 4)))).toBe('tensor-info')
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify({ t: { dtype: 'F32', shape: [1] } }), 4)))).toBe('tensor-info')
    // gap, overlap, trailing bytes
    const gap = { a: tensor('F32', [1], 0, 4), b: tensor('F32', [1], 8, 12) }
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify(gap), 12)))).toBe('offsets')
    const overlap = { a: tensor('F32', [2], 0, 8), b: tensor('F32', [1], 4, 8) }
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify(overlap), 8)))).toBe('offsets')
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify({ a: tensor('F32', [1], 0, 4) }), 6)))).toBe('incomplete-buffer')
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify({ __metadata__: { a: 1 } }), 0)))).toBe('metadata')
    expect(codeOf(() => readSafetensors(rawFile(JSON.stringify({ __metadata__: 'x' }), 0)))).toBe('metadata')
  })

  it('accepts offsets listed out of order when they are contiguous once sorted', () => {
    const header = JSON.stringify({ b: tensor('F32', [1], 4, 8), a: tensor('F32', [1], 0, 4) })
    expect(codeOf(() => readSafetensors(rawFile(header, 8)))).toBe('ok')
  })

  it('keeps "__proto__" an ordinary tensor name', () => {
    const file = encodeSafetensors([
      { name: '__proto__', dtype: 'F32', shape: [1], data: float32Bytes(new Float32Array([7])) },
      { name: 'constructor', dtype: 'F32', shape: [1], data: float32Bytes(new Float32Array([8])) },
    ])
    const st = readSafetensors(file)
    expect(st.floats('__proto__').data[0]).toBe(7)
    expect(st.floats('constructor').data[0]).toBe(8)
    expect(({} as Record<string, unknown>)['dtype']).toBeUndefined()
    const hostile = rawFile('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"__proto__":"x"}}', 4)
    const st2 = readSafetensors(hostile)
    expect([...st2.tensors.keys()]).toEqual(['__proto__'])
    expect(st2.metadata.get('__proto__')).toBe('x')
    expect(Object.prototype).not.toHaveProperty('dtype')
  })

  it('reads the header and tensors lazily through Blob.slice', async () => {
    const file = encodeSafetensors([
      { name: 'a', dtype: 'F32', shape: [3], data: float32Bytes(new Float32Array([1, 2, 3])) },
      { name: 'b', dtype: 'F32', shape: [1], data: float32Bytes(new Float32Array([4])) },
    ])
    const slices: [number, number][] = []
    const blob = new Blob([file as Uint8Array<ArrayBuffer>])
    const spy = {
      size: blob.size,
      slice: (s?: number, e?: number) => {
        slices.push([s ?? 0, e ?? blob.size])
        return blob.slice(s, e)
      },
    }
    const st = await SafetensorsBlob.open(spy, 'b.safetensors')
    expect(slices.length).toBe(2)
    expect(Array.from((await st.readFloats('b')).data)).toEqual([4])
    const last = slices.at(-1)!
    expect(last[1] - last[0]).toBe(4)
    await expect(SafetensorsBlob.open(new Blob([new Uint8Array(3) as Uint8Array<ArrayBuffer>]))).rejects.toBeInstanceOf(SafetensorsError)
  })
})

describe('safetensors reader fuzzing', () => {
  const onlyOwnErrors = (bytes: Uint8Array) => {
    try {
      readSafetensors(bytes)
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw e
    }
  }

  it('never throws anything but SafetensorsError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyOwnErrors), { numRuns: 2000 })
  })

  it('never throws anything but SafetensorsError on random JSON headers', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(64), (header, extra) => onlyOwnErrors(rawFile(header, extra))),
      { numRuns: 2000 },
    )
  })

  const entry = fc.record({
    dtype: fc.oneof(fc.constantFrom('F16', 'BF16', 'F32', 'I64', 'U8', 'F8_E4M3', 'X'), fc.anything()),
    shape: fc.oneof(fc.array(fc.oneof(fc.nat(8), fc.integer(), fc.double())), fc.anything()),
    data_offsets: fc.oneof(fc.tuple(fc.nat(64), fc.nat(64)), fc.anything()),
  })
  it('never throws anything but SafetensorsError on mutated tensor tables', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', '__metadata__', 'constructor')), entry),
        fc.nat(128),
        (table, extra) => onlyOwnErrors(rawFile(JSON.stringify(table), extra)),
      ),
      { numRuns: 2000 },
    )
  })

  it('never throws anything but SafetensorsError when a valid file is mutated byte by byte', () => {
    const valid = encodeSafetensors([
      { name: 'x.lora_down.weight', dtype: 'F32', shape: [2, 3], data: float32Bytes(new Float32Array(6)) },
      { name: 'x.alpha', dtype: 'F16', shape: [], data: new Uint8Array(2) },
    ])
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }), fc.nat(valid.length), (edits, cut) => {
        const bytes = valid.slice(0, Math.max(cut, 8))
        for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value
        onlyOwnErrors(bytes)
      }),
      { numRuns: 3000 },
    )
  })
})
