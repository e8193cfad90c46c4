// Layer discovery beyond the common torch export: unscoped node names, weights behind a Transpose.
import { describe, expect, it } from 'vitest'
import { encodeModel } from '../../src/models/onnx/codec.js'
import { makeAttribute, makeGraph, makeModel, makeNode, makeTensor, makeValueInfo } from '../../src/models/onnx/factories.js'
import { DataType } from '../../src/models/onnx/types.js'
import { findTargetLayers, scopeOf } from '../../src/lora/layers.js'
import { prepareModelWithLoras } from '../../src/lora/session.js'
import type { LoraMode } from '../../src/lora/live.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { SessionCache } from '../../src/runtime/session-cache.js'
import { makeLora, random, rng } from './synthetic-model.js'

const next = rng(3)
const f32 = (values: Float32Array) => new Uint8Array(values.buffer)

/** to_q: MatMul(x, Transpose(W [6, 8])) unscoped; ff: MatMul(x, onnx::MatMul_7) + Add(ff.bias), unscoped. */
function graphWithoutScopes() {
  const g = makeGraph('g')
  const wq = random(48, next)
  g.initializer.push(
    makeTensor({ name: 'attn.to_q.weight', dims: [6, 8], dataType: DataType.FLOAT, rawData: f32(wq) }),
    makeTensor({ name: 'onnx::MatMul_7', dims: [6, 4], dataType: DataType.FLOAT, rawData: f32(random(24, next)) }),
    makeTensor({ name: 'ff.bias', dims: [4], dataType: DataType.FLOAT, rawData: f32(random(4, next)) }),
  )
  g.input.push(makeValueInfo('x', DataType.FLOAT, [2, 8]))
  g.output.push(makeValueInfo('y', DataType.FLOAT, [2, 4]))
  g.node.push(
    makeNode({ opType: 'Transpose', name: 'Transpose_1', input: ['attn.to_q.weight'], output: ['wt'], attribute: [makeAttribute('perm', [1, 0])] }),
    makeNode({ opType: 'MatMul', name: 'MatMul_2', input: ['x', 'wt'], output: ['q'] }),
    makeNode({ opType: 'MatMul', name: 'MatMul_3', input: ['q', 'onnx::MatMul_7'], output: ['f'] }),
    makeNode({ opType: 'Add', name: 'Add_4', input: ['f', 'ff.bias'], output: ['y'] }),
  )
  return { model: makeModel(g, { irVersion: 8, opset: 17 }), wq }
}

describe('layer discovery', () => {
  it('reads module paths from torch scopes', () => {
    expect(scopeOf('/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_out.0/MatMul')).toBe(
      'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0',
    )
    expect(scopeOf('MatMul_12')).toBeUndefined()
  })

  it('finds layers by weight or bias names when nodes have no scopes, and weights behind a Transpose', () => {
    const layers = findTargetLayers(graphWithoutScopes().model.graph!)
    expect([...layers.keys()]).toEqual(['attn_to_q', 'ff'])
    expect(layers.get('attn_to_q')).toMatchObject({ kind: 'linear', shape: [6, 8], transposed: false })
    expect(layers.get('ff')).toMatchObject({ kind: 'linear', shape: [4, 6], transposed: true })
  })

  it('merges and branches a Transpose-fed weight correctly', async () => {
    const { model, wq } = graphWithoutScopes()
    const source = { key: 'unscoped', bytes: encodeModel(model) }
    const lora = makeLora({ rank: 2, seed: 4, format: 'kohya', layers: { 'attn.to_q': [6, 8], ff: [4, 6] } })
    const cache = new SessionCache(createNodeBackend())
    const deps = { sessions: cache, readLora: async () => lora.bytes }
    const x = random(16, next)
    const outputs: Float32Array[] = []
    for (const mode of ['merge', 'live', 'live-delta'] as const) {
      const p = await prepareModelWithLoras({ key: source.key, load: async () => source }, [{ name: 'l', scale: 1, mode }], 'unet', deps)
      expect(p.reports[0]!.patchedLayers).toEqual(['attn.to_q', 'ff'])
      outputs.push((await p.session.run({ x: { dtype: 'float32', dims: [2, 8], data: x }, ...p.feeds })).y!.data as Float32Array)
    }
    // The test's own computation of y = (x @ (Wq + dq)^T) @ (Wf^T + df^T) + b, in float64.
    const g = model.graph!
    const wf = new Float32Array(g.initializer[1]!.rawData!.slice().buffer) // [6, 4] = Wf^T
    const bias = new Float32Array(g.initializer[2]!.rawData!.slice().buffer)
    const dq = lora.factors.get('attn.to_q')!
    const df = lora.factors.get('ff')!
    const q = [0, 1].map((b) =>
      Array.from({ length: 6 }, (_, o) => {
        let sum = 0
        for (let i = 0; i < 8; i++) {
          let w = wq[o * 8 + i]!
          for (let r = 0; r < 2; r++) w += dq.up[o * 2 + r]! * dq.down[r * 8 + i]!
          sum += x[b * 8 + i]! * w
        }
        return sum
      }),
    )
    const expected = q.flatMap((row) =>
      Array.from({ length: 4 }, (_, o) => {
        let sum = bias[o]!
        for (let i = 0; i < 6; i++) {
          let w = wf[i * 4 + o]!
          for (let r = 0; r < 2; r++) w += df.up[o * 2 + r]! * df.down[r * 6 + i]!
          sum += row[i]! * w
        }
        return sum
      }),
    )
    for (const out of outputs) out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4))
    await cache.dispose()
  })

  it('merging into one of two layers that share (tie) a weight leaves the other layer alone', async () => {
    const g = makeGraph('tied')
    g.initializer.push(makeTensor({ name: 'onnx::MatMul_9', dims: [4, 4], dataType: DataType.FLOAT, rawData: f32(random(16, next)) }))
    g.input.push(makeValueInfo('x', DataType.FLOAT, [1, 4]))
    g.output.push(makeValueInfo('a', DataType.FLOAT, [1, 4]), makeValueInfo('b', DataType.FLOAT, [1, 4]))
    g.node.push(
      makeNode({ opType: 'MatMul', name: '/a/to_q/MatMul', input: ['x', 'onnx::MatMul_9'], output: ['a'] }),
      makeNode({ opType: 'MatMul', name: '/b/to_q/MatMul', input: ['x', 'onnx::MatMul_9'], output: ['b'] }),
    )
    const source = { key: 'tied', bytes: encodeModel(makeModel(g, { irVersion: 8, opset: 17 })) }
    const lora = makeLora({ rank: 2, seed: 9, format: 'peft', layers: { 'a.to_q': [4, 4] } })
    const cache = new SessionCache(createNodeBackend())
    const deps = { sessions: cache, readLora: async () => lora.bytes }
    const feeds = { x: { dtype: 'float32' as const, dims: [1, 4], data: random(4, next) } }
    const run = async (loras: { name: string; scale: number; mode: LoraMode }[]) => {
      const p = await prepareModelWithLoras({ key: source.key, load: async () => source }, loras, 'unet', deps)
      const out = await p.session.run({ ...feeds, ...p.feeds })
      return [Array.from(out.a!.data as Float32Array), Array.from(out.b!.data as Float32Array)]
    }
    const [baseA, baseB] = await run([])
    const [mergedA, mergedB] = await run([{ name: 'l', scale: 1, mode: 'merge' }])
    expect(mergedB).toEqual(baseB)
    expect(mergedA).not.toEqual(baseA)
    for (const mode of ['live', 'live-delta'] as const) {
      const [liveA, liveB] = await run([{ name: 'l', scale: 1, mode }])
      expect(liveB, mode).toEqual(baseB)
      mergedA!.forEach((v, i) => expect(v).toBeCloseTo(liveA![i]!, 5))
    }
    await cache.dispose()
  })
})
