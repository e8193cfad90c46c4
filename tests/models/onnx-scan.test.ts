// Reading a model's external data references from its wire format (src/models/onnx/scan.ts) without decoding it:
// the same answer as decoding, for every model the app ships and for tensors written every way the format allows,
// and a clear error for bytes that are not a model.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DataLocation,
  DataType,
  decodeModel,
  encodeModel,
  externalDataExtents,
  makeGraph,
  makeModel,
  makeTensor,
  scanExternalDataExtents,
  scanExternalInitializers,
} from '../../src/models/onnx/index.js'

const MODELS = join(import.meta.dirname, '..', '..', 'public', 'models')

function onnxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return onnxFiles(path)
    return name.endsWith('.onnx') ? [path] : []
  })
}

/** A model whose initializers are `tensors`, encoded as onnx.proto says. */
function modelWith(...tensors: ReturnType<typeof makeTensor>[]): Uint8Array {
  const graph = makeGraph('scan')
  graph.initializer.push(...tensors)
  return encodeModel(makeModel(graph, { irVersion: 8, opset: 17 }))
}

const external = (name: string, dims: number[], entries: Record<string, string>) =>
  makeTensor({ name, dims, dataType: DataType.FLOAT, dataLocation: DataLocation.EXTERNAL, externalData: Object.entries(entries).map(([key, value]) => ({ key, value })) })

describe('scanning a model for its external data', () => {
  it('answers as decoding does for every model the app ships (two of them keep their UNet weights outside)', () => {
    const files = onnxFiles(MODELS)
    expect(files.length).toBeGreaterThanOrEqual(10)
    let withExternal = 0
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file))
      const decoded = externalDataExtents(decodeModel(bytes))
      expect(scanExternalDataExtents(bytes), file).toEqual(decoded)
      if (decoded.size > 0) withExternal++
    }
    expect(withExternal).toBeGreaterThanOrEqual(2)
  })

  it('reads names, dims, types and entries, with the defaults a reference may leave out', () => {
    const bytes = modelWith(
      makeTensor({ name: 'inline', dims: [2, 2], dataType: DataType.FLOAT, rawData: new Uint8Array(16) }),
      external('w', [3, 4], { location: 'model.onnx_data', offset: '64', length: '48' }),
      external('b', [4], { location: 'model.onnx_data', offset: '112' }), // length from dims: 4 floats
      external('other', [1], { location: 'weights.bin' }), // offset 0
    )
    const scanned = scanExternalInitializers(bytes)
    expect(scanned.map((t) => [t.name, t.dims, t.dataType])).toEqual([
      ['w', [3, 4], DataType.FLOAT],
      ['b', [4], DataType.FLOAT],
      ['other', [1], DataType.FLOAT],
    ])
    expect(scanned[0]!.externalData).toEqual([
      { key: 'location', value: 'model.onnx_data' },
      { key: 'offset', value: '64' },
      { key: 'length', value: '48' },
    ])
    expect(scanExternalDataExtents(bytes)).toEqual(
      new Map([
        ['model.onnx_data', { end: 128, tensor: 'b' }],
        ['weights.bin', { end: 4, tensor: 'other' }],
      ]),
    )
  })

  it('reads dims written unpacked and negative ones, as other writers do', () => {
    // TensorProto { dims: 2 (unpacked), dims: -1 (ten-byte varint), data_type: FLOAT, name: "t", data_location: EXTERNAL,
    //   external_data { key: "location", value: "d" } } in a GraphProto in a ModelProto.
    const negative = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    const entry = [0x0a, 8, ...new TextEncoder().encode('location'), 0x12, 1, 0x64]
    const tensor = [0x08, 2, 0x08, ...negative, 0x10, 1, 0x42, 1, 0x74, 0x6a, entry.length, ...entry, 0x70, 1]
    const graph = [0x2a, tensor.length, ...tensor]
    const opset = [0x42, 2, 0x10, 17]
    const bytes = new Uint8Array([0x08, 8, 0x3a, graph.length, ...graph, ...opset])
    expect(scanExternalInitializers(bytes)).toEqual([
      { name: 't', dims: [2, -1], dataType: DataType.FLOAT, dataLocation: DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'd' }] },
    ])
    // Its length would come from the dims, which the -1 makes invalid: refused alike, scanned or decoded.
    const invalid = 'tensor "t" has an invalid external_data offset/length (0, -8)'
    expect(() => scanExternalDataExtents(bytes)).toThrow(invalid)
    expect(() => externalDataExtents(decodeModel(bytes))).toThrow(invalid)
  })

  it('says what is wrong with bytes that are not a model, as decoding would fail on them', () => {
    const model = modelWith(external('w', [3, 4], { location: 'model.onnx_data' }))
    expect(() => scanExternalDataExtents(model.subarray(0, model.byteLength - 5))).toThrow(/runs past the end/)
    expect(() => scanExternalDataExtents(new TextEncoder().encode('not an onnx model at all'))).toThrow(/wire type|past the end/)
    expect(() => scanExternalDataExtents(new Uint8Array([0x08, 8]))).toThrow('not an ONNX model: it has no graph')
    expect(() => scanExternalDataExtents(new Uint8Array([0x42, 2, 0x10, 17]))).toThrow('not an ONNX model: ir_version is missing')
    const cutAfterGraph = model.subarray(0, model.indexOf(0x42, model.byteLength - 12))
    expect(() => scanExternalDataExtents(cutAfterGraph)).toThrow('not an ONNX model: opset_import is missing (truncated file?)')
    expect(() => decodeModel(cutAfterGraph)).toThrow('not an ONNX model: opset_import is missing (truncated file?)')
    // A reference with no location is refused with the tensor's name, as externalDataRef does for decoded models.
    expect(() => scanExternalDataExtents(modelWith(external('w', [1], { offset: '0' })))).toThrow('tensor "w" is marked EXTERNAL but has no external_data location')
  })
})
