// Sweep definitions without running anything: --vary parsing (lists, float-safe ranges, @files), validation that
// names the axis, node and input, the cross product of cells and their keys, and the JSON round trip.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  cellKey, createSweepDefinition, expandRange, parseSweepDefinition, parseVarySpec, resolveAxis, serializeSweepDefinition, sourceValues,
  sweepCells, SweepSpecError, type SweepDefinition,
} from '../../src/sweep/index.js'
import { registry, shippedGraph } from '../helpers/tiny-host.js'

const graph = shippedGraph('tiny-sd15-lora-4step.json')
const readText = (path: string) => readFile(path, 'utf8')

async function axisFrom(text: string, name = 'axis 1') {
  const spec = parseVarySpec(text)
  return resolveAxis(graph, registry, name, spec.node, spec.input, await sourceValues(spec, readText))
}

function errorOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(SweepSpecError)
    return (error as Error).message
  }
  throw new Error('expected an error')
}

async function asyncErrorOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
  } catch (error) {
    expect(error).toBeInstanceOf(SweepSpecError)
    return (error as Error).message
  }
  throw new Error('expected an error')
}

describe('--vary values', () => {
  it('parses lists, ranges and files apart', () => {
    expect(parseVarySpec('4.steps=1,2,4,8')).toMatchObject({ node: '4', input: 'steps', source: { kind: 'list', items: ['1', '2', '4', '8'] } })
    expect(parseVarySpec('Hyper-SD LoRA.scale=0.25:1.25:0.25')).toMatchObject({ node: 'Hyper-SD LoRA', input: 'scale', source: { kind: 'range', start: 0.25, stop: 1.25, step: 0.25 } })
    expect(parseVarySpec('Prompt.text=@prompts.txt')).toMatchObject({ node: 'Prompt', input: 'text', source: { kind: 'file', path: 'prompts.txt' } })
  })

  it('expands ranges inclusively without binary-fraction drift', () => {
    expect(expandRange(0, 1, 0.1)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
    expect(expandRange(0.25, 1.25, 0.25)).toEqual([0.25, 0.5, 0.75, 1, 1.25])
    expect(expandRange(8, 1, -2)).toEqual([8, 6, 4, 2])
    expect(expandRange(1, 8, 3)).toEqual([1, 4, 7])
    expect(() => expandRange(0, 1, 0)).toThrow(/STEP must not be 0/)
    expect(() => expandRange(0, 1, -0.5)).toThrow(/goes away from STOP/)
  })

  it('reads one value per line from an @file, skipping blanks and # comments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-values-'))
    const file = join(dir, 'prompts.txt')
    writeFileSync(file, '# captions\na red circle\n\n  a blue square  \r\na small green triangle\n')
    const axis = await axisFrom(`Prompt.text=@${file}`)
    expect(axis).toEqual({ node: '2', input: 'text', values: ['a red circle', 'a blue square', 'a small green triangle'] })
    expect(await asyncErrorOf(() => axisFrom(`Prompt.text=@${join(dir, 'missing.txt')}`))).toMatch(/cannot read .*missing\.txt \(ENOENT\)/)
  })

  it('coerces values by the input declaration (node by id, title or type)', async () => {
    expect(await axisFrom('4.steps=1:4:1')).toEqual({ node: '4', input: 'steps', values: [1, 2, 3, 4] })
    expect(await axisFrom('Hyper-SD LoRA.scale=0.25,0.5')).toEqual({ node: '9', input: 'scale', values: [0.25, 0.5] })
    expect(await axisFrom('TSCDSampler.scheduler=tcd,ddim-trailing')).toEqual({ node: '4', input: 'scheduler', values: ['tcd', 'ddim-trailing'] })
  })
})

describe('validation names the axis, node and input', () => {
  it('refuses unknown nodes, unknown inputs and link inputs', async () => {
    expect(await asyncErrorOf(() => axisFrom('Sampler.steps=1,2'))).toBe('axis 1 (Sampler.steps): no node with id, title or type "Sampler"')
    expect(await asyncErrorOf(() => axisFrom('4.stepz=1,2', 'axis 2'))).toMatch(/^axis 2 \(4\.stepz\): node 4 \(TSCDSampler\) has no input "stepz" \(inputs: .*steps/)
    expect(await asyncErrorOf(() => axisFrom('4.latent=1'))).toBe('axis 1 (4.latent): input "latent" of node 4 (TSCDSampler) takes a LATENT link, not a value')
  })

  it('refuses values outside the declared range, non-integers and unknown options', async () => {
    expect(await asyncErrorOf(() => axisFrom('4.steps=0:8:4'))).toMatch(/^axis 1 \(TSCDSampler\.steps\): node 4 \(TSCDSampler\), input "steps": value 0: 0 is below the minimum 1$/)
    expect(await asyncErrorOf(() => axisFrom('4.steps=1,2.5'))).toMatch(/^axis 1 \(4\.steps\): .*input "steps": expected an integer, got "2\.5"/)
    expect(await asyncErrorOf(() => axisFrom('Hyper-SD LoRA.scale=1,5'))).toMatch(/Hyper-SD LoRA\.scale.*value 5: 5 is above the maximum 4/)
    expect(await asyncErrorOf(() => axisFrom('4.scheduler=ddim,tcd'))).toMatch(/input "scheduler": "ddim" is not one of ddim-trailing, tcd/)
    expect(await asyncErrorOf(() => axisFrom('4.steps=1,,2'))).toMatch(/empty value in the list/)
  })

  it('refuses two axes on one input, more than two axes, and seeds on a graph without a seed', async () => {
    const steps = await axisFrom('4.steps=1,2')
    expect(errorOf(() => createSweepDefinition(graph, [steps, steps], 1, registry))).toBe('both axes vary TSCDSampler.steps')
    expect(errorOf(() => createSweepDefinition(graph, [steps, steps, steps], 1, registry))).toMatch(/at most two axes/)
    const noSeed = { ...graph, nodes: graph.nodes.filter((n) => n.type !== 'TSCDSampler') }
    expect(errorOf(() => createSweepDefinition(noSeed, [], 3, registry))).toBe('--seeds 3: the graph has no seed input to repeat over')
  })
})

describe('cells', () => {
  async function definition(): Promise<SweepDefinition> {
    return createSweepDefinition(graph, [await axisFrom('4.steps=1,2,4'), await axisFrom('Hyper-SD LoRA.scale=0.5,1', 'axis 2')], 2, registry)
  }

  it('are the cross product in grid reading order: x across, then seeds, then y down', async () => {
    const cells = sweepCells(await definition(), registry)
    expect(cells).toHaveLength(12)
    expect(cells.map((c) => `${c.values.join('/')}@${c.seed}`)).toEqual([
      '1/0.5@42', '2/0.5@42', '4/0.5@42', '1/0.5@43', '2/0.5@43', '4/0.5@43',
      '1/1@42', '2/1@42', '4/1@42', '1/1@43', '2/1@43', '4/1@43',
    ])
    expect(cells.map((c) => [c.column, c.row])).toEqual([[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1], [0, 2], [1, 2], [2, 2], [0, 3], [1, 3], [2, 3]])
    const last = cells[11]!.graph.nodes
    expect(last.find((n) => n.id === '4')!.inputs).toMatchObject({ steps: 4, seed: 43 })
    expect(last.find((n) => n.id === '9')!.inputs).toMatchObject({ scale: 1 })
  })

  it('have keys from what runs: distinct per cell, equal for equal graphs, blind to titles and layout', async () => {
    const cells = sweepCells(await definition(), registry)
    expect(new Set(cells.map((c) => c.key)).size).toBe(12)
    expect(cells.every((c) => /^[0-9a-f]{32}$/.test(c.key))).toBe(true)
    expect(sweepCells(await definition(), registry).map((c) => c.key)).toEqual(cells.map((c) => c.key))
    const cosmetic = { ...cells[0]!.graph, layout: {}, nodes: cells[0]!.graph.nodes.map((n) => ({ ...n, title: 'renamed' })) }
    expect(cellKey(cosmetic)).toBe(cells[0]!.key)
    expect(cellKey(cells[0]!.graph, 'tiny-sd15=/elsewhere')).not.toBe(cells[0]!.key)
  })

  it('a repeated value gives the same key (so it is computed once)', async () => {
    const def = createSweepDefinition(graph, [await axisFrom('4.steps=2,2')], 1, registry)
    const [a, b] = sweepCells(def, registry)
    expect(a!.key).toBe(b!.key)
  })
})

describe('definition JSON', () => {
  it('round-trips, and a reopened definition is checked again', async () => {
    const def = createSweepDefinition(graph, [await axisFrom('4.steps=1,2')], 2, registry)
    const text = serializeSweepDefinition(def)
    expect(parseSweepDefinition(text, registry)).toEqual(def)
    const tampered = text.replace('"values": [\n        1,\n        2\n      ]', '"values": [1, 99]')
    expect(tampered).not.toBe(text)
    expect(() => parseSweepDefinition(tampered, registry, 'grid.png')).toThrow(/^grid\.png: axis 1 \(TSCDSampler\.steps\): .*value 99/)
    expect(() => parseSweepDefinition(text.replace('"seeds": 2', '"seeds": 0'), registry, 'sweep.json')).toThrow(/^sweep\.json: seeds/)
    expect(() => parseSweepDefinition(text.replace('"axes": [', '"__proto__": 1, "axes": ['), registry, 'x')).toThrow(/forbidden key "__proto__"/)
  })
})
