// ComfyUI's everyday node tools in the editor: bypass (Ctrl+B) and mute (Ctrl+M) change what a run does, collapse
// (Alt+C), pin and colour are saved in the graph file, the node menu offers them, and the minimap pans the canvas.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, canvasColoursAround, outputPixels, runOnce, screenshot, waitReady } from './harness.js'

const LORA_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-lora-4step.json'), 'utf8')
const SHAPES_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/shapes-4step.json'), 'utf8')
const LORA = '9' // UNetLoRA between LoadPipeline 1 and the sampler 4 / prompt 2
const SAVE = '6'
const LATENT = '3'

interface NodeJson {
  id: string
  type: string
  mode?: string
  inputs: Record<string, unknown>
}
interface GraphJson {
  nodes: NodeJson[]
  layout: { nodes: Record<string, { pos: [number, number]; collapsed?: boolean; pinned?: boolean; color?: string; bgcolor?: string }> }
}

const graphJson = async (page: Page): Promise<GraphJson> => JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as GraphJson

async function titlePoint(page: Page, id: string): Promise<{ x: number; y: number }> {
  const rect = (await page.evaluate((nodeId) => window.__hypersd!.nodeRect(nodeId), id))!
  return { x: rect.x + Math.min(rect.width / 2, 60), y: rect.y + 8 }
}

/**
 * Clicks a node's title (selecting it alone), presses `chord`, and waits for `done`; the click is retried because a
 * freshly opened graph is fitted to the canvas once, which can move the node under the first click.
 */
async function pressOnNode(page: Page, id: string, chord: string, done: (graph: GraphJson) => boolean): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const at = await titlePoint(page, id)
    await page.mouse.click(at.x, at.y)
    await page.keyboard.press(chord)
    if (done(await graphJson(page))) return
    await page.waitForTimeout(300)
  }
  throw new Error(`${chord} on node ${id} had no effect`)
}

async function openNodeMenu(page: Page, id: string): Promise<string[]> {
  const at = await titlePoint(page, id)
  await page.mouse.click(at.x, at.y, { button: 'right' })
  await page.locator('[data-testid=context-menu]').waitFor()
  return page.locator('[data-testid=context-menu] li').allTextContents()
}

async function chooseMenuItem(page: Page, label: string): Promise<void> {
  await page.locator('[data-testid=context-menu] li', { hasText: label }).first().click()
}

describe('node tools', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('Ctrl+B bypasses the LoRA: the run uses the bare UNet (as the graph without the LoRA node does); Ctrl+B again restores it', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    const withLora = await runOnce(page)
    expect(withLora.status, withLora.error ?? '').toBe('done')
    expect(withLora.nodesRun).toContain(LORA)
    const loraPixels = (await outputPixels(page)).data

    await pressOnNode(page, LORA, 'Control+b', (g) => g.nodes.find((n) => n.id === LORA)?.mode === 'bypass')
    await screenshot(page, 'node-tools-bypassed-lora')
    const bypassed = await runOnce(page)
    expect(bypassed.status, bypassed.error ?? '').toBe('done')
    expect([...bypassed.nodesRun, ...bypassed.nodesCached]).not.toContain(LORA)
    expect((await outputPixels(page)).data).not.toEqual(loraPixels)

    // The same graph without the LoRA node at all computes what the bypassed one did.
    const withoutLora = JSON.parse(LORA_GRAPH) as { nodes: NodeJson[] }
    withoutLora.nodes = withoutLora.nodes.filter((n) => n.id !== LORA)
    for (const n of withoutLora.nodes) {
      for (const [name, value] of Object.entries(n.inputs)) {
        const from = (value as { from?: [string, string] } | null)?.from
        if (from?.[0] === LORA) n.inputs[name] = { from: ['1', from[1]] }
      }
    }

    // Ctrl+B toggles: pressed again, the LoRA is active (that its kept result is then served from the cache is an
    // engine unit test; a run here would only cost time).
    await pressOnNode(page, LORA, 'Control+b', (g) => g.nodes.find((n) => n.id === LORA)?.mode === undefined)

    await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(withoutLora))
    const bare = await runOnce(page)
    expect(bare.status, bare.error ?? '').toBe('done')
    // Its sampler and everything after it are the bypassed run's cached results: the engine's cache key covers a
    // node's inputs and everything upstream, so the bypassed graph sampled with exactly the bare UNet.
    expect(bare.nodesCached).toEqual(expect.arrayContaining(['4', '5', SAVE]))
    expect(bare.nodesRun).toEqual([])
  })

  it('Ctrl+M mutes Save Image: the run says there is nothing to output; Ctrl+M again runs it', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    await pressOnNode(page, SAVE, 'Control+m', (g) => g.nodes.find((n) => n.id === SAVE)?.mode === 'mute')
    await screenshot(page, 'node-tools-muted-save')
    const muted = await runOnce(page)
    expect(muted.status).toBe('error')
    expect(muted.error).toContain('nothing to output: every output node is muted or bypassed')
    expect(muted.nodesRun).toEqual([])

    await pressOnNode(page, SAVE, 'Control+m', (g) => g.nodes.find((n) => n.id === SAVE)?.mode === undefined)
    const unmuted = await runOnce(page)
    expect(unmuted.status, unmuted.error ?? '').toBe('done')
  })

  it('Settings → Keyboard rebinds a command: a taken chord is refused by name, the new one works and lasts, Reset restores it', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    const openSettings = async () => {
      await page.click('.tabs button:has-text("Settings")')
      await page.locator('[data-testid=keymap]').waitFor()
    }
    await openSettings()
    const row = page.locator('[data-testid=keymap] tr[data-command=mute]')
    await row.locator('[data-testid=keymap-change]').click()
    await row.locator('[data-testid=keymap-recording]').waitFor()
    await page.keyboard.press('Control+b')
    await expect(row.locator('[data-testid=keymap-refusal]').textContent()).resolves.toBe('Ctrl+B already runs “Bypass selected nodes”; change that one first')
    // Recording swallowed the chord: nothing was bypassed.
    expect((await graphJson(page)).nodes.some((n) => n.mode === 'bypass')).toBe(false)
    await page.keyboard.press('Alt+k')
    await expect(row.locator('kbd').allTextContents()).resolves.toEqual(['Alt+K'])
    await row.scrollIntoViewIfNeeded()
    await screenshot(page, 'settings-keyboard-rebound')

    await pressOnNode(page, SAVE, 'Alt+k', (g) => g.nodes.find((n) => n.id === SAVE)?.mode === 'mute')
    // Ctrl+M no longer mutes: pressed on the muted node, it stays muted.
    await page.keyboard.press('Control+m')
    await page.waitForTimeout(200)
    expect((await graphJson(page)).nodes.find((n) => n.id === SAVE)?.mode).toBe('mute')
    await pressOnNode(page, SAVE, 'Alt+k', (g) => g.nodes.find((n) => n.id === SAVE)?.mode === undefined)

    await page.reload()
    await waitReady(page)
    await openSettings()
    await expect(row.locator('kbd').allTextContents()).resolves.toEqual(['Alt+K'])
    await row.locator('[data-testid=keymap-reset]').click()
    await expect(row.locator('kbd').allTextContents()).resolves.toEqual(['Ctrl+M'])
    expect(await page.evaluate(() => localStorage.getItem('hypersd.keymap'))).toBe('{}')
  })

  it('the node menu offers bypass, mute, collapse, pin, colour, clone and widget conversion; pin, colour and collapse are saved', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    await page.waitForTimeout(300) // the one-off fit after opening
    const items = await openNodeMenu(page, LATENT)
    await screenshot(page, 'node-tools-menu')
    for (const label of ['Bypass  (Ctrl+B)', 'Mute  (Ctrl+M)', 'Collapse  (Alt+C)', 'Pin', 'Colour…', 'Clone', 'Convert widget to input…']) expect(items).toContain(label)

    await chooseMenuItem(page, 'Pin')
    expect((await graphJson(page)).layout.nodes[LATENT]!.pinned).toBe(true)
    // A pinned node stays put when dragged by its title.
    const before = (await graphJson(page)).layout.nodes[LATENT]!.pos
    const at = await titlePoint(page, LATENT)
    await page.mouse.move(at.x, at.y)
    await page.mouse.down()
    await page.mouse.move(at.x + 120, at.y + 80, { steps: 6 })
    await page.mouse.up()
    expect((await graphJson(page)).layout.nodes[LATENT]!.pos).toEqual(before)
    expect(await openNodeMenu(page, LATENT)).toContain('Unpin')
    await page.locator('.menu-backdrop').click({ position: { x: 5, y: 5 } })
    await expect.poll(() => page.locator('[data-testid=context-menu]').count()).toBe(0)

    await openNodeMenu(page, LATENT)
    await chooseMenuItem(page, 'Colour…')
    await chooseMenuItem(page, 'purple')
    expect((await graphJson(page)).layout.nodes[LATENT]).toMatchObject({ color: '#323', bgcolor: '#535' })

    await pressOnNode(page, LATENT, 'Alt+c', (g) => g.layout.nodes[LATENT]?.collapsed === true)

    const count = (await graphJson(page)).nodes.length
    await openNodeMenu(page, '2')
    await chooseMenuItem(page, 'Clone')
    const cloned = await graphJson(page)
    expect(cloned.nodes.length).toBe(count + 1)
    const copy = cloned.nodes.at(-1)!
    expect(copy.type).toBe('CLIPTextEncode')
    expect(copy.inputs['text']).toEqual(cloned.nodes.find((n) => n.id === '2')!.inputs['text'])
    await screenshot(page, 'node-tools-pinned-coloured-collapsed')

    // All of it survives saving and reopening the graph file.
    const saved = await page.evaluate(() => window.__hypersd!.graphJson())
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), saved)
    expect((await graphJson(page)).layout.nodes[LATENT]).toMatchObject({ collapsed: true, pinned: true, color: '#323', bgcolor: '#535' })
  })

  it('with several nodes selected, the node menu aligns their edges and arranges them; undo keeps the selection', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    await page.waitForTimeout(300) // the one-off fit after opening
    const ids = [SAVE, LATENT, LORA]
    const xs = async (): Promise<number[]> => {
      const g = await graphJson(page)
      return ids.map((id) => g.layout.nodes[id]!.pos[0])
    }
    const before = await xs()
    expect(new Set(before).size).toBe(3)
    // Select the three: click the first title, Shift+click the others.
    for (const [i, id] of ids.entries()) {
      const at = await titlePoint(page, id)
      if (i > 0) await page.keyboard.down('Shift')
      await page.mouse.click(at.x, at.y)
      if (i > 0) await page.keyboard.up('Shift')
    }
    const items = await openNodeMenu(page, SAVE)
    expect(items).toContain('Align…')
    expect(items.some((i) => i.startsWith('Arrange selected'))).toBe(true)
    await chooseMenuItem(page, 'Align…')
    await chooseMenuItem(page, 'Left edges')
    await expect.poll(xs).toEqual([Math.min(...before), Math.min(...before), Math.min(...before)])
    await page.keyboard.press('Control+z')
    await expect.poll(xs).toEqual(before)
    // Undo rebuilt the canvas and kept the selection: the menu still acts on the three. Arrange: they share no link,
    // so they stack in one column where the block began.
    // The canvas is rebuilt over the next frames: a right-click at a title read too early can land on the group
    // (seen once in a full run), so the menu is opened again until it is the node's.
    await expect
      .poll(async () => {
        await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
        const items = await openNodeMenu(page, SAVE)
        if (!items.includes('Arrange selected')) await page.keyboard.press('Escape')
        return items
      }, { timeout: 10_000 })
      .toContain('Arrange selected')
    await chooseMenuItem(page, 'Arrange selected')
    await expect.poll(async () => new Set(await xs()).size).toBe(1)
    expect((await xs())[0]).toBe(Math.min(...before))
  })

  it('the group menu renames, colours (ComfyUI’s palette), fits and removes a group; each undoable', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), SHAPES_GRAPH)
    const groups = async (): Promise<{ title: string; color?: string }[]> => ((await graphJson(page)) as unknown as { layout: { groups: { title: string; color?: string }[] } }).layout.groups
    const [before] = await groups()
    const openGroupMenu = async (): Promise<string[]> => {
      const [rect] = await page.evaluate(() => window.__hypersd!.groupRects())
      await page.mouse.click(rect!.x + 40, rect!.y + 10, { button: 'right' })
      await page.locator('[data-testid=context-menu]').waitFor()
      return page.locator('[data-testid=context-menu] li').allTextContents()
    }
    expect(await openGroupMenu()).toEqual(['Rename group…', 'Colour…', 'Fit group to nodes', 'Remove group'])
    await chooseMenuItem(page, 'Colour…')
    const colours = await page.locator('[data-testid=context-menu] li').allTextContents()
    expect(colours).toContain('green')
    await chooseMenuItem(page, 'green')
    // litegraph's palette: green's group shade.
    await expect.poll(async () => (await groups())[0]!.color).toBe('#8A8')
    await page.keyboard.press('Control+z')
    await expect.poll(async () => (await groups())[0]!.color).toBe(before!.color)
    await openGroupMenu()
    await chooseMenuItem(page, 'Rename group…')
    const dialog = page.locator('[data-testid=prompt-dialog]')
    await dialog.locator('input').fill('Sampling')
    await dialog.locator('input').press('Enter')
    await expect.poll(async () => (await groups())[0]!.title).toBe('Sampling')
    // Fit: the group shrinks to its nodes (the shipped group leaves a margin round them).
    const bounding = async (): Promise<number[]> => ((await graphJson(page)) as unknown as { layout: { groups: { bounding: number[] }[] } }).layout.groups[0]!.bounding
    const wide = await bounding()
    await openGroupMenu()
    await chooseMenuItem(page, 'Fit group to nodes')
    await expect.poll(async () => (await bounding())[2]).toBeLessThan(wide[2]!)
    await openGroupMenu()
    await chooseMenuItem(page, 'Remove group')
    await expect.poll(async () => (await groups()).length).toBe(0)
    await page.keyboard.press('Control+z')
    await expect.poll(async () => (await groups()).map((g) => g.title)).toEqual(['Sampling'])
  })

  it('Escape closes a menu; a right-click outside an open menu opens the menu of what it is on, where it is', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    await page.waitForTimeout(300) // the one-off fit after opening
    await openNodeMenu(page, LATENT)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('[data-testid=context-menu]').count()).toBe(0)
    // The next right-click opens a menu (the Escape used to leave the menu open, and this click only closed it).
    expect(await openNodeMenu(page, LATENT)).toContain('Clone')
    const save = await titlePoint(page, SAVE)
    await page.mouse.click(save.x, save.y, { button: 'right' })
    await expect.poll(async () => {
      const box = await page.locator('[data-testid=context-menu]').boundingBox()
      return box !== null && Math.abs(box.x - save.x) < 1 && Math.abs(box.y - save.y) < 1
    }).toBe(true)
    expect(await page.locator('[data-testid=context-menu] li').allTextContents()).toContain('Clone')
    // On empty canvas: the canvas's menu.
    const canvas = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.click(canvas.x + 12, canvas.y + 12, { button: 'right' })
    await expect.poll(() => page.locator('[data-testid=context-menu] li').allTextContents()).toContain('Add node…')
    expect(await page.locator('[data-testid=context-menu]').count()).toBe(1)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('[data-testid=context-menu]').count()).toBe(0)
  })

  it('a Preview Image added by dropping a link on the canvas opens with room for the image, and shows the run\'s', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'width', 64), LATENT)
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'height', 64), LATENT)
    await page.waitForTimeout(300) // the one-off fit after opening
    const from = (await page.evaluate(() => window.__hypersd!.slotPoint('5', 'output', 'image')))!
    const canvas = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(canvas.x + 300, canvas.y + canvas.height - 60, { steps: 8 })
    await page.mouse.up()
    await page.locator('[data-testid=node-search] input').fill('preview')
    await page.keyboard.press('Enter')
    const added = await page.waitForFunction(() => Object.entries(window.__hypersd!.nodeTypes()).find(([, t]) => t === 'PreviewImage')?.[0])
    const preview = (await added.jsonValue()) as string
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.nodesRun).toContain(preview)
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
    // The tiny model's noise in the node's lower part: many colours where an empty node body has one.
    const rect = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), preview))!
    const row = await canvasColoursAround(page, rect.x + rect.width / 2, rect.y + rect.height * 0.7, Math.min(40, rect.width / 3))
    expect(new Set(row.map((c) => c.join(','))).size, 'distinct colours across the image area').toBeGreaterThan(10)
    await screenshot(page, 'node-tools-preview-added')
  })

  it('the minimap shows the graph and a click or drag on it pans the canvas', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    const minimap = page.locator('[data-testid=minimap]')
    await minimap.waitFor()
    const box = (await minimap.boundingBox())!
    // Something other than the background is drawn on it (the nodes, the visible area).
    const drawn = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid=minimap]')!
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      const colours = new Set<string>()
      for (let i = 0; i < d.length; i += 16) colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`)
      return colours.size
    })
    expect(drawn).toBeGreaterThan(3)

    const before = (await page.evaluate(() => window.__hypersd!.nodeRect('1')))!
    await page.mouse.click(box.x + box.width - 4, box.y + box.height - 4)
    const afterClick = (await page.evaluate(() => window.__hypersd!.nodeRect('1')))!
    // The view centre moved towards the bottom right of the graph: nodes move up and left on screen.
    expect(afterClick.x).toBeLessThan(before.x)
    expect(afterClick.y).toBeLessThan(before.y)

    await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + 10, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    const afterDrag = (await page.evaluate(() => window.__hypersd!.nodeRect('1')))!
    expect(afterDrag.x).toBeGreaterThan(afterClick.x)
    await screenshot(page, 'node-tools-minimap')

    await page.click('[data-testid=minimap-toggle]')
    await expect.poll(() => minimap.count()).toBe(0)
    await page.keyboard.press('Alt+m')
    await minimap.waitFor()
    expect(app.errors).toEqual([])
  })
})
