// @vitest-environment happy-dom
// Declared number widgets store conformed values and follow activeWhen; tooltips come from the declarations.
import { LiteGraph } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { isSpecNode, registerNodeTypes, type SpecNode } from '../../src/editor/node-types.js'
import { StudioNumberWidget } from '../../src/editor/widget-number.js'
import { tooltipAt } from '../../src/editor/widget-tooltip.js'
import { nodeDefinitions } from '../../nodes/index.js'

beforeAll(() => registerNodeTypes(nodeDefinitions))

function create(type: string): SpecNode {
  const node = LiteGraph.createNode(type)
  if (!isSpecNode(node)) throw new Error(`${type} is not a declared node`)
  return node
}

describe('declared number widgets', () => {
  it('are the studio widget, with the description as tooltip', () => {
    const sampler = create('TSCDSampler')
    const steps = sampler.widgets!.find((w) => w.name === 'steps')!
    expect(steps).toBeInstanceOf(StudioNumberWidget)
    expect(steps.tooltip).toBe('Hyper-SD LoRAs are trained for 1 to 8 steps.')
  })

  it('conform what they store: range, multiple and float noise', () => {
    const latent = create('EmptyLatent')
    const width = latent.widgets!.find((w) => w.name === 'width') as StudioNumberWidget
    const event = { e: {}, node: latent, canvas: { graph_mouse: [0, 0] } } as unknown as Parameters<StudioNumberWidget['setValue']>[1]
    width.setValue(300, event)
    expect(width.value).toBe(304)
    width.setValue(100000, event)
    expect(width.value).toBe(4096)
    const lora = create('UNetLoRA')
    const scale = lora.widgets!.find((w) => w.name === 'scale') as StudioNumberWidget
    scale.setValue(-1.0000003814697265, { ...event, node: lora })
    expect(scale.value).toBe(-1)
    lora.setInputValue('scale', 0.4999999999999996)
    expect(lora.widgetValues()['scale']).toBe(0.5)
  })

  it('disable eta unless the scheduler is tcd, and say why on hover', () => {
    const sampler = create('TSCDSampler')
    const eta = sampler.widgets!.find((w) => w.name === 'eta')!
    expect(sampler.widgetValues()['scheduler']).toBe('ddim-trailing')
    expect(eta.disabled).toBe(true)
    expect(sampler.inactiveReason('eta')).toBe('ignored by scheduler ddim-trailing (only used with tcd)')
    sampler.setInputValue('scheduler', 'tcd')
    expect(eta.disabled).toBe(false)
    expect(sampler.inactiveReason('eta')).toBeUndefined()
    sampler.setInputValue('scheduler', 'euler-trailing')
    expect(eta.disabled).toBe(true)
    // Title hover: the node's description.
    expect(tooltipAt(sampler, sampler.pos[0] + 10, sampler.pos[1] - 5)).toBe(sampler.definition.description)
  })
})
