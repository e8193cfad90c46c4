// Issue 14 §2: a 10,000-deep chain crashed the CLI with "Maximum call stack size exceeded". Topology, validation,
// bypass rerouting and cache keys now walk with explicit stacks; these graphs are deep enough to overflow any
// recursive walk.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Engine, NodeRegistry, planRun, type ExecGraph, type ExecNode } from '../../src/engine/index.js'
import { executionOrder, findCycle } from '../../src/engine/topology.js'
import { HostileKeyError, assertNoHostileKeys } from '../../src/graph/safe-json.js'
import { allTestNodes } from '../engine/fixtures.js'
import { ROOT, runCli } from '../cli/run-cli.js'

const DEPTH = 10_000
const registry = new NodeRegistry(allTestNodes)

/** Number -> Add x DEPTH (each adds its offset 1) -> Sink; `mode` marks every Add bypassed, say. */
function addChain(mode?: ExecNode['mode']): ExecGraph {
  const nodes: ExecNode[] = [{ id: 'n', type: 'Number', inputs: { value: 2 } }]
  let previous = 'n'
  let output = 'value'
  for (let i = 0; i < DEPTH; i++) {
    nodes.push({ id: `a${i}`, type: 'Add', inputs: { a: { from: [previous, output] }, offset: 1 }, ...(mode ? { mode } : {}) })
    previous = `a${i}`
    output = 'sum'
  }
  nodes.push({ id: 'sink', type: 'Sink', inputs: { value: { from: [previous, output] } } })
  return { nodes }
}

describe('10,000-deep graphs (issue 14 §2)', () => {
  it('the engine plans, keys and runs a 10,000-node chain', async () => {
    const graph = addChain()
    expect(planRun(graph, registry).issues).toEqual([])
    const order = executionOrder(graph, ['sink'])
    expect(order).toEqual(graph.nodes.map((n) => n.id))
    const engine = new Engine({ registry, services: {} })
    const result = await engine.run(graph)
    expect(result.outputs.get('sink')).toEqual({ seen: 2 + DEPTH })
    // Cache keys chain through every node: the second run reuses all of them.
    const again = await engine.run(graph)
    expect(again.nodesCached).toHaveLength(graph.nodes.length)
  })

  it('reroutes around 10,000 bypassed nodes in a row', () => {
    const { plan, issues } = planRun(addChain('bypass'), registry)
    expect(issues).toEqual([])
    expect(plan.graph.nodes.find((n) => n.id === 'sink')?.inputs['value']).toEqual({ from: ['n', 'value'] })
  })

  it('finds a 10,000-node cycle and reports it like a short one', () => {
    const chain = addChain().nodes
    const graph: ExecGraph = {
      nodes: chain.map((n) => (n.id === 'a0' ? { ...n, inputs: { ...n.inputs, a: { from: [`a${DEPTH - 1}`, 'sum'] } } } : n)),
    }
    const cycle = findCycle(graph)
    expect(cycle).toHaveLength(DEPTH + 1)
    expect(cycle?.[0]).toBe(cycle?.at(-1))
    expect(planRun(graph, registry).issues.map((i) => i.code)).toContain('cycle')
  })

  it('checks a 100,000-deep value handed over by postMessage for hostile keys without recursion', () => {
    const leaf: Record<string, unknown> = {}
    Object.defineProperty(leaf, '__proto__', { value: 1, enumerable: true })
    let value: unknown = leaf
    for (let i = 0; i < 100_000; i++) value = { a: [value] }
    const error = (() => {
      try {
        assertNoHostileKeys({ ok: 1, deep: value })
      } catch (e) {
        return e as HostileKeyError
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(HostileKeyError)
    expect(error?.path.startsWith('deep.a[0].a[0]')).toBe(true)
    expect(error?.path.endsWith('.a[0].__proto__')).toBe(true)
    expect(() => assertNoHostileKeys({ deep: { a: [{ b: 1 }, { c: [1, { d: 2 }] }] } })).not.toThrow()
  })

  it('hypersd validate accepts a 10,000-node chain file', () => {
    const base = JSON.parse(readFileSync(join(ROOT, 'graphs', 'hyper-sd15-1step.json'), 'utf8')) as {
      nodes: { id: string; type: string; inputs: Record<string, unknown> }[]
    }
    const lora = base.nodes.find((n) => n.type === 'UNetLoRA')!
    const chain = []
    let previous = '1'
    for (let i = 0; i < DEPTH; i++) {
      chain.push({ ...lora, id: `c${i}`, inputs: { ...lora.inputs, unet: { from: [previous, 'unet'] }, clip: { from: [previous, 'clip'] } } })
      previous = `c${i}`
    }
    const rest = base.nodes.filter((n) => n !== lora)
    const text = JSON.stringify({ ...base, nodes: [...chain, ...rest] }).replaceAll(`"from":["${lora.id}",`, `"from":["${previous}",`)
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-chain-'))
    writeFileSync(join(dir, 'chain.json'), text)
    const result = runCli(['validate', join(dir, 'chain.json')])
    expect(result.stderr).not.toMatch(/call stack/)
    expect(result.stdout).toContain(`valid (${DEPTH + rest.length} nodes)`)
    expect(result.code).toBe(0)
  })
})
