// Where a build's new tensors are stored: inline in the .onnx file while it stays under protobuf's 2 GiB limit,
// in the side file once they would take it past (a full-size inline fp16 UNet plus live-delta's deltas does).
import { describe, expect, it } from 'vitest'
import { LORA_DATA_FILE, WeightStore } from '../../src/lora/weights.js'
import { makeTensor } from '../../src/models/onnx/factories.js'
import { externalDataRef, setTensorData, tensorToFloat32 } from '../../src/models/onnx/tensor-data.js'
import { DataType } from '../../src/models/onnx/types.js'

const values = (count: number, seed: number) => Float32Array.from({ length: count }, (_, i) => Math.sin(seed + i))

describe('WeightStore placement of new tensors', () => {
  it('keeps them inline while the model stays under its limit', () => {
    const store = new WeightStore(new Map(), false, LORA_DATA_FILE, 1000, 1500)
    const tensor = store.create('delta', [100], DataType.FLOAT, values(100, 1)) // 400 bytes: 1400 in all
    expect(store.finish()).toBeUndefined()
    expect(externalDataRef(tensor)).toBeUndefined()
    expect(Array.from(tensorToFloat32(tensor))).toEqual(Array.from(values(100, 1)))
  })

  it('moves them to the side file when they would pass it, with their values intact', () => {
    const store = new WeightStore(new Map(), false, LORA_DATA_FILE, 1000, 1500)
    const first = store.create('delta.a', [100], DataType.FLOAT, values(100, 2))
    const second = store.create('delta.b', [40], DataType.FLOAT16, values(40, 3)) // 400 + 80 bytes: 1480 in all
    const third = store.create('delta.c', [10], DataType.FLOAT, values(10, 4)) // 40 more: 1520
    const side = store.finish()!
    for (const tensor of [first, second, third]) expect(externalDataRef(tensor)?.location).toBe(LORA_DATA_FILE)
    expect(Array.from(tensorToFloat32(first, side))).toEqual(Array.from(values(100, 2)))
    expect(Array.from(tensorToFloat32(third, side))).toEqual(Array.from(values(10, 4)))
  })

  it('does not count rewritten inline weights as growth (they replace their own bytes)', () => {
    const store = new WeightStore(new Map(), false, LORA_DATA_FILE, 1000, 1500)
    const weight = makeTensor({ name: 'w', dims: [200], dataType: DataType.FLOAT })
    setTensorData(weight, values(200, 5)) // 800 bytes already in the model
    store.update(weight, (v) => v.forEach((x, i) => (v[i] = 2 * x)))
    expect(store.finish()).toBeUndefined()
    expect(tensorToFloat32(weight)[1]).toBeCloseTo(2 * Math.sin(6), 6)
  })
})
