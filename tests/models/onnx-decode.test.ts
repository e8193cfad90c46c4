// The wire-format decoder behind decodeModel: every shipped model re-encodes byte for byte from what it reads, and
// the protobuf rules a hand-written reader can get wrong (packing either way, unknown fields, wire types, 64-bit
// values, a repeated singular field) hold on messages written here byte by byte.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeMessage } from '../../src/models/onnx/decode.js'
import { decodeModel, encodeModel } from '../../src/models/onnx/index.js'

const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models')

function onnxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? onnxFiles(path) : name.endsWith('.onnx') ? [path] : []
  })
}

// Wire-format writing, as the protobuf encoding guide gives it.
function varint(value: bigint | number): number[] {
  let rest = BigInt.asUintN(64, BigInt(value))
  const out: number[] = []
  do {
    const byte = Number(rest & 0x7fn)
    rest >>= 7n
    out.push(rest === 0n ? byte : byte | 0x80)
  } while (rest !== 0n)
  return out
}
const tag = (field: number, wireType: number) => varint(field * 8 + wireType)
const len = (field: number, payload: number[]) => [...tag(field, 2), ...varint(payload.length), ...payload]
const text = (field: number, value: string) => len(field, [...new TextEncoder().encode(value)])
const int = (field: number, value: bigint | number) => [...tag(field, 0), ...varint(value)]
const float32 = (field: number, value: number) => {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setFloat32(0, value, true)
  return [...tag(field, 5), ...bytes]
}
const decode = (name: 'TensorProto' | 'NodeProto' | 'ModelProto' | 'AttributeProto', bytes: number[]) => decodeMessage(name, Uint8Array.from(bytes))

describe('the wire-format decoder', () => {
  it.each(onnxFiles(MODELS).map((path) => relative(MODELS, path)))('reads %s so that it re-encodes byte for byte', (file) => {
    const bytes = new Uint8Array(readFileSync(join(MODELS, file)))
    expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(Buffer.from(bytes))).toBe(true)
  })

  it('reads repeated numbers packed or not, whatever onnx.proto declares', () => {
    // dims is declared unpacked and float_data packed; writers may do either.
    const packedDims = decode('TensorProto', [...len(1, [...varint(2), ...varint(300)]), ...int(2, 1)])
    const unpackedDims = decode('TensorProto', [...int(1, 2), ...int(1, 300), ...int(2, 1)])
    expect(packedDims['dims']).toEqual([2, 300])
    expect(unpackedDims['dims']).toEqual([2, 300])
    const unpackedFloats = decode('TensorProto', [...float32(4, 1.5), ...float32(4, -2)])
    expect(unpackedFloats['floatData']).toEqual([1.5, -2])
  })

  it('gives every repeated field an array and a singular one only when present, in onnx-messages.ts order', () => {
    const node = decode('NodeProto', [...text(4, 'Conv'), ...text(1, 'x'), ...text(1, 'w'), ...text(2, 'y')])
    expect(Object.keys(node)).toEqual(['input', 'output', 'opType', 'attribute', 'metadataProps'])
    expect(node).toEqual({ input: ['x', 'w'], output: ['y'], opType: 'Conv', attribute: [], metadataProps: [] })
  })

  it('skips fields outside the subset, of every wire type', () => {
    const unknown = [...int(99, 5), ...len(98, [1, 2, 3]), ...tag(97, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...tag(96, 5), 1, 2, 3, 4]
    expect(decode('NodeProto', [...unknown, ...text(4, 'Relu')])).toMatchObject({ opType: 'Relu' })
  })

  it('keeps the last of a singular field written twice', () => {
    expect(decode('NodeProto', [...text(4, 'Relu'), ...text(4, 'Sigmoid')])['opType']).toBe('Sigmoid')
  })

  it('reads 64-bit values: negatives, int64 payloads as bigints, uint64 as unsigned, int32 from ten-byte negatives', () => {
    const attribute = decode('AttributeProto', [...int(3, -5n), ...int(8, 9223372036854775807n), ...int(8, -1n), ...int(20, -3)])
    expect(attribute['i']).toBe(-5n)
    expect(attribute['ints']).toEqual([9223372036854775807n, -1n])
    expect(attribute['type']).toBe(-3)
    const tensor = decode('TensorProto', [...len(11, varint(18446744073709551615n)), ...int(1, -1n)])
    expect(tensor['uint64Data']).toEqual([18446744073709551615n])
    expect(tensor['dims']).toEqual([-1])
  })

  it('returns bytes as views into the input', () => {
    const bytes = Uint8Array.from([...text(8, 'w'), ...len(9, [1, 2, 3, 4])])
    const raw = decodeMessage('TensorProto', bytes)['rawData'] as Uint8Array
    expect(Array.from(raw)).toEqual([1, 2, 3, 4])
    expect(raw.buffer).toBe(bytes.buffer)
  })

  it('refuses what it cannot read, naming the field', () => {
    expect(() => decode('TensorProto', int(1, 2n ** 60n))).toThrow('TensorProto.dims value 1152921504606846976 is out of range')
    expect(() => decode('NodeProto', int(4, 7))).toThrow('NodeProto.opType has wire type 0, expected 2')
    expect(() => decode('NodeProto', [...tag(4, 2), ...varint(10), 0x41])).toThrow(/runs past the end/)
    expect(() => decode('NodeProto', [...tag(4, 3)])).toThrow(/wire type 3/)
    expect(() => decodeModel(Uint8Array.from([...int(1, 8), ...int(7, 1)]))).toThrow('not an ONNX model: ModelProto.graph has wire type 0, expected 2 (corrupt data)')
  })
})
