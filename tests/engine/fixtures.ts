// Small arithmetic node set for engine tests: no models, just values, counters and delays.
import { combo, defineNode, float, int, optionalSocket, output, seed, socket, string, type AnyNodeDefinition } from '../../src/engine/index.js'

export const calls: Record<string, number> = {}
const count = (type: string): void => {
  calls[type] = (calls[type] ?? 0) + 1
}

export const numberNode = defineNode({
  type: 'Number',
  version: 1,
  displayName: 'Number',
  category: 'test',
  description: 'Emits a number.',
  inputs: { value: float({ default: 1, min: -100, max: 100 }) },
  outputs: { value: output('FLOAT') },
  execute(inputs) {
    count('Number')
    return { value: inputs.value }
  },
})

export const addNode = defineNode({
  type: 'Add',
  version: 1,
  displayName: 'Add',
  category: 'test',
  description: 'a + b',
  inputs: { a: socket('FLOAT'), b: optionalSocket('FLOAT'), offset: int({ default: 0, min: 0, max: 10 }) },
  outputs: { sum: output('FLOAT') },
  execute(inputs) {
    count('Add')
    return { sum: inputs.a + (inputs.b ?? 0) + inputs.offset }
  },
})

export const slowNode = defineNode({
  type: 'Slow',
  version: 1,
  displayName: 'Slow',
  category: 'test',
  description: 'Counts steps, checking for cancellation between them.',
  inputs: { x: socket('FLOAT'), steps: int({ default: 5, min: 1, max: 100 }), seed: seed() },
  outputs: { y: output('FLOAT') },
  async execute(inputs, ctx) {
    count('Slow')
    for (let i = 0; i < inputs.steps; i++) {
      ctx.checkCancelled()
      await new Promise((r) => setTimeout(r, 5))
      ctx.progress(i + 1, inputs.steps)
    }
    return { y: inputs.x * 2 + inputs.seed }
  },
})

export const textNode = defineNode({
  type: 'Text',
  version: 1,
  displayName: 'Text',
  category: 'test',
  description: 'Emits text.',
  inputs: { text: string({ default: '', multiline: true }), mode: combo(['a', 'b'], { default: 'a' }) },
  outputs: { text: output('STRING') },
  execute(inputs, ctx) {
    if (inputs.text === 'warn') ctx.warn('careful')
    if (inputs.text === 'fail') throw new Error('boom')
    return { text: inputs.text }
  },
})

export const sinkNode = defineNode({
  type: 'Sink',
  version: 1,
  displayName: 'Sink',
  category: 'test',
  description: 'Output node.',
  isOutput: true,
  inputs: { value: socket('FLOAT') },
  outputs: {},
  execute(inputs) {
    count('Sink')
    return { seen: inputs.value }
  },
})

/** An output node that "uses a model": it retains the resource named by its input, and fails on "fail". */
export const useNode = defineNode({
  type: 'Use',
  version: 1,
  displayName: 'Use',
  category: 'test',
  description: 'Retains a named resource.',
  isOutput: true,
  inputs: { resource: string({ default: 'model-a' }), also: string({ default: '' }) },
  outputs: {},
  execute(inputs, ctx) {
    ctx.retain(inputs.resource)
    if (inputs.also) ctx.retain(inputs.also)
    if (inputs.also === 'fail') throw new Error('boom')
    return {}
  },
})

export const allTestNodes: AnyNodeDefinition[] = [numberNode, addNode, slowNode, textNode, sinkNode, useNode]

export function resetCalls(): void {
  for (const k of Object.keys(calls)) delete calls[k]
}
