// Every graph shipped in graphs/ opens laid out: nodes apart, and each node big enough for its sockets and widgets.
// A new user meets these first (the default graph, the Templates browser). Before, the default graph's Scene Score
// node, once grown to fit its eleven sockets and its caption widget, sat under Save Image, hiding its last outputs,
// and the CFG graphs' negative prompt sat on Empty Latent. The loader grows a node stored smaller than its sockets and
// widgets need (document.ts), so the shipped layouts must leave room for the grown sizes.
import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { nodeDefinitions } from '../../nodes/index.js'
import { isSocket } from '../../src/engine/spec.js'
import { appForSuite } from './harness.js'

const GRAPHS = resolve(import.meta.dirname, '../../graphs')
const SHIPPED = readdirSync(GRAPHS).filter((f) => f.endsWith('.json')).sort()

interface Rect { x: number; y: number; width: number; height: number }
interface FileNode { id: string; type: string; inputs?: Record<string, unknown> }
interface GraphFile { nodes: FileNode[]; layout?: { nodes?: Record<string, { collapsed?: boolean; size?: [number, number]; pos?: [number, number] }> } }

/** Links whose source node does not end left of where the target node starts, on screen. */
async function backwardLinks(page: Page, file: GraphFile): Promise<string[]> {
  const rect = (id: string) => page.evaluate((n) => window.__hypersd!.nodeRect(n), id)
  const found: string[] = []
  for (const node of file.nodes) {
    for (const [input, value] of Object.entries(node.inputs ?? {})) {
      if (!(value && typeof value === 'object' && 'from' in value)) continue
      const from = (value as { from: [string, string] }).from[0]
      const [a, b] = [(await rect(from))!, (await rect(node.id))!]
      if (a.x + a.width >= b.x) found.push(`#${from} -> #${node.id} (${node.type}.${input})`)
    }
  }
  return found
}

const within = (r: Rect, p: { x: number; y: number }, slack = 1): boolean =>
  p.x >= r.x - slack && p.x <= r.x + r.width + slack && p.y >= r.y - slack && p.y <= r.y + r.height + slack
/** Closer than `gap` CSS pixels: touching boxes read as one. */
const intersects = (a: Rect, b: Rect, gap = 3): boolean =>
  a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap

/** Problems in the open graph: nodes on or against each other, and sockets or widgets outside their node's box. */
async function layoutProblems(page: Page, file: GraphFile): Promise<string[]> {
  // Widget positions are set when litegraph draws the nodes.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
  const problems: string[] = []
  const rects = new Map<string, Rect>()
  const scale = (await page.evaluate(() => window.__hypersd!.view())).scale
  for (const node of file.nodes) {
    if (file.layout?.nodes?.[node.id]?.collapsed) continue
    const rect = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), node.id))!
    rects.set(node.id, rect)
    const definition = nodeDefinitions.find((d) => d.type === node.type)
    if (!definition) continue
    for (const name of Object.keys(definition.outputs)) {
      const point = await page.evaluate(([id, n]) => window.__hypersd!.slotPoint(id, 'output', n), [node.id, name] as const)
      if (point && !within(rect, point)) problems.push(`${node.type} #${node.id}: output "${name}" outside the node`)
    }
    for (const [name, spec] of Object.entries(definition.inputs)) {
      if (isSocket(spec)) {
        const point = await page.evaluate(([id, n]) => window.__hypersd!.slotPoint(id, 'input', n), [node.id, name] as const)
        if (point && !within(rect, point)) problems.push(`${node.type} #${node.id}: input "${name}" outside the node`)
      } else {
        const centre = await page.evaluate(([id, n]) => window.__hypersd!.widgetPoint(id, n), [node.id, name] as const)
        // The widget's lower edge (20 px high at 100 %) inside the node.
        if (centre && !within(rect, { x: centre.x, y: centre.y + 10 * scale })) problems.push(`${node.type} #${node.id}: widget "${name}" outside the node`)
      }
    }
  }
  const entries = [...rects]
  entries.forEach(([idA, a], i) => {
    for (const [idB, b] of entries.slice(i + 1)) {
      if (intersects(a, b)) problems.push(`#${idA} (${file.nodes.find((n) => n.id === idA)!.type}) overlaps #${idB} (${file.nodes.find((n) => n.id === idB)!.type})`)
    }
  })
  return problems
}

describe('the shipped graphs, laid out', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('every graph in graphs/ opens with its nodes apart and every socket and widget inside its node', async () => {
    const { page } = app
    const found: string[] = []
    for (const name of SHIPPED) {
      const text = readFileSync(resolve(GRAPHS, name), 'utf8')
      await page.evaluate((json) => window.__hypersd!.loadGraph(json), text)
      for (const problem of await layoutProblems(page, JSON.parse(text) as GraphFile)) found.push(`${name}: ${problem}`)
    }
    expect(found).toEqual([])
    expect(app.errors).toEqual([])
  })

  it('a node stored smaller than its sockets and widgets need opens big enough for them', async () => {
    const { page } = app
    const file = JSON.parse(readFileSync(resolve(GRAPHS, 'shapes-4step.json'), 'utf8')) as GraphFile & { layout: { nodes: Record<string, { size?: [number, number] }> } }
    const score = file.nodes.find((n) => n.type === 'SceneScore')!
    const sampler = file.nodes.find((n) => n.type === 'TSCDSampler')!
    file.layout.nodes[score.id]!.size = [120, 40]
    file.layout.nodes[sampler.id]!.size = [120, 40]
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(file))
    const problems = (await layoutProblems(page, file)).filter((p) => !p.includes(' overlaps '))
    expect(problems).toEqual([])
    // Its stored width is kept where it is wide enough: only what is too small grows.
    const saved = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as GraphFile
    const [width, height] = saved.layout!.nodes![score.id]!.size!
    expect(height).toBeGreaterThan(40)
    expect(width).toBeGreaterThanOrEqual(120)
  })

  it('a graph file without positions opens in columns along its links', async () => {
    const { page } = app
    const found: string[] = []
    // Before, such files opened on a 5-wide grid in file order: links ran backwards across the graph, and a Save
    // Image grown for its picture could sit on the node below it.
    for (const name of SHIPPED) {
      const file = JSON.parse(readFileSync(resolve(GRAPHS, name), 'utf8')) as GraphFile
      delete file.layout
      await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(file))
      for (const problem of await layoutProblems(page, file)) found.push(`${name}: ${problem}`)
      for (const link of await backwardLinks(page, file)) found.push(`${name}: link ${link} runs right to left`)
    }
    expect(found).toEqual([])
    expect(app.errors).toEqual([])
  })

  it('Arrange nodes (canvas menu) untangles a pile of nodes, and Undo puts the pile back', async () => {
    const { page } = app
    const file = JSON.parse(readFileSync(resolve(GRAPHS, 'tiny-sd15-4step-reward.json'), 'utf8')) as GraphFile
    // Every node dropped on one spot.
    for (const entry of Object.values(file.layout!.nodes!)) entry.pos = [100, 100]
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(file))
    expect((await layoutProblems(page, file)).filter((p) => p.includes(' overlaps ')).length).toBeGreaterThan(3)
    const canvas = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.click(canvas.x + 12, canvas.y + canvas.height - 12, { button: 'right' })
    await page.locator('[data-testid=context-menu] li', { hasText: 'Arrange nodes' }).click()
    await expect.poll(async () => (await layoutProblems(page, file)).length, { timeout: 5000 }).toBe(0)
    expect(await backwardLinks(page, file)).toEqual([])
    await page.keyboard.press('Control+z')
    const saved = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as GraphFile
    for (const entry of Object.values(saved.layout!.nodes!)) expect(entry.pos).toEqual([100, 100])
    expect(app.errors).toEqual([])
  })
})
