// The editor's side of sweeps without a browser: the panel's form checked with the sweep library (errors name the
// axis, node and input), and the worker's sweep host on the real engine with onnxruntime-node and the tiny models
// (each finished cell posted as its stored record and PNG, stored cells reused, cancel keeps the cells done).
import { afterAll, describe, expect, it } from 'vitest'
import { applyOverrides } from '../../src/graph/exec.js'
import { cellFromRecord, MemoryCellStore, serializeSweepDefinition, sweepCells, type SweepDefinition } from '../../src/sweep/index.js'
import { checkDraft, draftOf, sweepableInputs, sweepableNodes } from '../../src/stores/sweep-draft.js'
import { createSweepHost } from '../../src/worker/sweep-host.js'
import type { SweepFromWorker } from '../../src/worker/sweep-protocol.js'
import { createTestHost, registry, shippedGraph } from '../helpers/tiny-host.js'

const graph = applyOverrides(shippedGraph('tiny-sd15-lora-4step.json'), ['3.width=64', '3.height=64'], registry)

async function definitionOf(draft: Parameters<typeof checkDraft>[2]): Promise<SweepDefinition> {
  const checked = await checkDraft(graph, registry, draft)
  if (!checked.definition) throw new Error(checked.error)
  return checked.definition
}

describe('the sweep form', () => {
  it('offers the unlinked widget inputs of each node', () => {
    const sampler = sweepableInputs(graph, registry, '4')
    expect(sampler).toEqual(expect.arrayContaining(['steps', 'eta', 'seed', 'cfg']))
    expect(sampler).not.toContain('model')
    expect(sampler).not.toContain('latent')
    expect(sweepableInputs(graph, registry, '9')).toEqual(expect.arrayContaining(['scale', 'mode']))
    expect(sweepableInputs(graph, registry, 'nope')).toEqual([])
    expect(sweepableNodes(graph, registry).map((n) => n.label)).toContain('Hyper-SD LoRA (#9)')
  })

  it('turns lists and ranges into a definition with values of the input kinds', async () => {
    const definition = await definitionOf({ axes: [{ node: '4', input: 'steps', values: '1, 2,4' }, { node: '9', input: 'scale', values: '0.25:1.25:0.25' }], seeds: 2 })
    expect(definition.axes).toEqual([
      { node: '4', input: 'steps', values: [1, 2, 4] },
      { node: '9', input: 'scale', values: [0.25, 0.5, 0.75, 1, 1.25] },
    ])
    expect(definition.seeds).toBe(2)
    // A definition read back (a grid PNG) fills the form, which describes the same sweep.
    const again = await definitionOf(draftOf(definition))
    expect(serializeSweepDefinition(again)).toBe(serializeSweepDefinition(definition))
  })

  it('names the axis, node and input of what is wrong', async () => {
    const error = async (draft: Parameters<typeof checkDraft>[2]) => (await checkDraft(graph, registry, draft)).error
    expect(await error({ axes: [{ node: '4', input: 'steps', values: '1,x' }], seeds: 1 })).toMatch(/^axis 1 \(4\.steps\).*"x"/)
    expect(await error({ axes: [{ node: '4', input: 'steps', values: '1' }, { node: '9', input: 'scale', values: '1:0:0.5' }], seeds: 1 })).toMatch(/^axis 2 \(node 9, input "scale"\): STEP 0\.5 goes away from STOP 0/)
    expect(await error({ axes: [{ node: '4', input: 'steps', values: '1,,2' }], seeds: 1 })).toMatch(/^axis 1 \(node 4, input "steps"\): empty value/)
    expect(await error({ axes: [{ node: '9', input: 'scale', values: '@scales.txt' }], seeds: 1 })).toMatch(/axis 1 .*value files \(@file\) are for the CLI/)
    expect(await error({ axes: [{ node: '4', input: '', values: '1' }], seeds: 1 })).toBe('axis 1: pick a node and one of its inputs')
    expect(await error({ axes: [{ node: '4', input: 'steps', values: '1' }, { node: '4', input: 'steps', values: '2' }], seeds: 1 })).toMatch(/both axes vary/)
    expect(await error({ axes: [{ node: '4', input: 'steps', values: '1' }], seeds: 0 })).toMatch(/seeds/)
  })
})

describe('the worker sweep host', () => {
  const host = createTestHost()
  afterAll(() => host.dispose())
  let createsSeen = host.sessions.stats.creates

  function sweepHost(store: MemoryCellStore) {
    const messages: SweepFromWorker[] = []
    let settle: () => void = () => undefined
    const sweeps = createSweepHost(
      {
        engine: () => host.engine,
        // The CLI host counts sessions built; each new one stands in for a key here.
        takeSessions: () => {
          const creates = host.sessions.stats.creates
          const created = Array.from({ length: creates - createsSeen }, (_, i) => `session-${createsSeen + i}`)
          createsSeen = creates
          return { created, reused: [], released: [] }
        },
        beginRun: () => undefined,
        post: (message) => {
          messages.push(message)
          if (message.type !== 'sweep-progress') settle()
        },
      },
      () => store,
    )
    const finished = new Promise<void>((resolve) => (settle = resolve))
    return { sweeps, messages, finished }
  }

  it('posts each cell as its record and PNG, reuses stored cells, and builds no session for a live scale change', async () => {
    const definition = await definitionOf({ axes: [{ node: '9', input: 'scale', values: '0.5,1' }], seeds: 1 })
    const store = new MemoryCellStore()
    const first = sweepHost(store)
    first.sweeps.handle({ type: 'sweep-run', sweepId: 'a', definitionJson: serializeSweepDefinition(definition) })
    await first.finished
    const progress = first.messages.filter((m) => m.type === 'sweep-progress')
    expect(progress.map((m) => [m.done, m.total, m.cell.index, m.cell.reused])).toEqual([
      [1, 2, 0, false],
      [2, 2, 1, false],
    ])
    const cells = sweepCells(definition, registry)
    for (const m of progress) {
      // The record is for the cell at that index (cellFromRecord refuses another key) and is what the store holds.
      const result = cellFromRecord(cells[m.cell.index]!.key, m.cell.record, m.cell.png)
      expect(result.scores).toEqual(store.results.get(result.key)!.scores)
      expect([...result.png.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47])
      expect(result.nodesRun).toContain('4')
    }
    expect(first.messages.at(-1)).toMatchObject({ type: 'sweep-done', sweepId: 'a', cancelled: false, computed: 2, reused: 0 })

    // The same sweep again: both cells from the store, nothing run, no session built.
    const second = sweepHost(store)
    second.sweeps.handle({ type: 'sweep-run', sweepId: 'b', definitionJson: serializeSweepDefinition(definition) })
    await second.finished
    expect(second.messages.filter((m) => m.type === 'sweep-progress').map((m) => m.cell.reused)).toEqual([true, true])
    expect(second.messages.at(-1)).toMatchObject({ type: 'sweep-done', cancelled: false, computed: 0, reused: 2, sessions: { created: [] } })

    // New scales on the live LoRA: the cells compute on the cached UNet session.
    const third = sweepHost(store)
    const moreScales = await definitionOf({ axes: [{ node: '9', input: 'scale', values: '0.25,0.75' }], seeds: 1 })
    third.sweeps.handle({ type: 'sweep-run', sweepId: 'c', definitionJson: serializeSweepDefinition(moreScales) })
    await third.finished
    expect(third.messages.at(-1)).toMatchObject({ type: 'sweep-done', computed: 2, sessions: { created: [] } })
  })

  it('stops on cancel with the cells done kept, and a rerun computes only the rest', async () => {
    const definition = await definitionOf({ axes: [{ node: '4', input: 'steps', values: '1,2,3' }], seeds: 1 })
    const store = new MemoryCellStore()
    const first = sweepHost(store)
    first.sweeps.handle({ type: 'sweep-run', sweepId: 'x', definitionJson: serializeSweepDefinition(definition) })
    // Cancel as soon as the first cell is posted.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (first.messages.length > 0) {
          clearInterval(check)
          first.sweeps.handle({ type: 'sweep-cancel', sweepId: 'x' })
          resolve()
        }
      }, 1)
    })
    await first.finished
    const done = first.messages.at(-1)
    expect(done).toMatchObject({ type: 'sweep-done', cancelled: true })
    const kept = store.results.size
    expect(kept).toBeGreaterThanOrEqual(1)
    expect(kept).toBeLessThan(3)

    const rerun = sweepHost(store)
    rerun.sweeps.handle({ type: 'sweep-run', sweepId: 'y', definitionJson: serializeSweepDefinition(definition) })
    await rerun.finished
    expect(rerun.messages.at(-1)).toMatchObject({ type: 'sweep-done', cancelled: false, reused: kept, computed: 3 - kept })
  })

  it('reports a definition it cannot read, and a missing engine', async () => {
    const bad = sweepHost(new MemoryCellStore())
    bad.sweeps.handle({ type: 'sweep-run', sweepId: 'z', definitionJson: '{"format":"hyper-sd-studio/sweep","version":1,"graph":{},"axes":[]}' })
    await bad.finished
    expect(bad.messages).toEqual([{ type: 'sweep-error', sweepId: 'z', message: expect.stringMatching(/^sweep \(graph\)/) as unknown as string }])
    const messages: SweepFromWorker[] = []
    createSweepHost({ engine: () => undefined, takeSessions: () => ({ created: [], reused: [], released: [] }), beginRun: () => undefined, post: (m) => messages.push(m) }).handle({ type: 'sweep-run', sweepId: 'n', definitionJson: '' })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(messages).toEqual([{ type: 'sweep-error', sweepId: 'n', message: 'The engine is not ready' }])
  })
})
