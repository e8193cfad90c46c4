// The editor on small screens (issue 11, section 5), at 1440x900, 1024x700 and 800x600: a toolbar whose controls
// neither overlap nor leave the window (idle and during a run), canvas text readable at the fitted zoom with the
// output in view, node titles readable when zoomed out by hand into low detail, menus and the node search kept
// inside the window, link-dropped nodes placed in the visible canvas; and a side panel that resizes, collapses and
// keeps both over a reload, with the canvas's backing store following.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { resolve } from 'node:path'
import { appForSuite, ARTIFACTS, canvasColoursAround, nodeIdsByType, screenshot, waitReady } from './harness.js'

interface Box {
  readonly name: string
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** The toolbar's controls (the outermost ones: a badge inside the Run button is part of the button). */
function toolbarControls(page: Page): Promise<Box[]> {
  return page.evaluate(() => {
    const header = document.querySelector('header.toolbar')!
    const all = [...header.querySelectorAll<HTMLElement>('button, label, input, select, .doc-name, .brand, [data-testid=progress], [data-testid=backend-indicator]')]
    const outermost = all.filter((el) => !all.some((other) => other !== el && other.contains(el)))
    return outermost.map((el) => {
      const r = el.getBoundingClientRect()
      return { name: el.dataset['testid'] ?? (el.textContent?.trim() || el.className), x: r.x, y: r.y, width: r.width, height: r.height }
    })
  })
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0.5 && h > 0.5 ? w * h : 0
}

/** Names of overlapping pairs and of controls that are hidden or not wholly inside the window. */
async function toolbarProblems(page: Page): Promise<string[]> {
  const boxes = await toolbarControls(page)
  const { width, height } = page.viewportSize()!
  const problems: string[] = []
  for (const box of boxes) {
    if (box.width < 1 || box.height < 1) problems.push(`${box.name} is not shown`)
    if (box.x < 0 || box.y < 0 || box.x + box.width > width + 0.5 || box.y + box.height > height + 0.5) problems.push(`${box.name} is outside the window`)
  }
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => overlap(a, b) > 0 && problems.push(`${a.name} overlaps ${b.name}`)))
  return problems
}

async function canvasBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  return (await page.locator('[data-testid=graph-canvas]').boundingBox())!
}

/** Fits the view with the toolbar's Fit button and waits for the animation to end. */
async function fitWithButton(page: Page): Promise<void> {
  await page.locator('header.toolbar button', { hasText: /^Fit$/ }).click()
  let previous = -1
  await expect
    .poll(async () => {
      const scale = await page.evaluate(() => window.__hypersd!.view().scale)
      const settled = scale === previous
      previous = scale
      return settled
    }, { timeout: 5000, interval: 150 })
    .toBe(true)
}

function inside(outer: { x: number; y: number; width: number; height: number }, inner: { x: number; y: number; width: number; height: number }, slack = 0.5): boolean {
  return inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack
}

// The side panel is checked at 1024x700 with devicePixelRatio 2, so its canvas's backing store must follow in device pixels.
/** Side panel width (0 when hidden), the canvas area's width, and the canvas's CSS and backing-store widths. */
function panelSizes(page: Page) {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!
    const panel = document.querySelector<HTMLElement>('aside.side-panel')!
    const wrap = canvas.parentElement!.getBoundingClientRect()
    const panelRect = panel.getBoundingClientRect()
    return { panel: panel.offsetParent === null ? 0 : Math.round(panelRect.width), wrap: Math.floor(wrap.width), css: canvas.getBoundingClientRect().width, device: canvas.width, ratio: window.devicePixelRatio }
  })
}

async function dragHandle(page: Page, dx: number): Promise<void> {
  const handle = (await page.locator('[data-testid=side-panel-resizer]').boundingBox())!
  const x = handle.x + handle.width / 2
  const y = handle.y + handle.height / 2
  await page.mouse.move(x, y)
  await page.mouse.down()
  await page.mouse.move(x + dx / 2, y, { steps: 3 })
  await page.mouse.move(x + dx, y, { steps: 3 })
  await page.mouse.up()
}

/** The canvas fills its area in CSS pixels, with a backing store in device pixels. */
async function canvasFollowsArea(page: Page): Promise<boolean> {
  const s = await panelSizes(page)
  return s.css === s.wrap && s.device === Math.round(s.wrap * s.ratio)
}

const SIZES = [
  { width: 1440, height: 900, deviceScaleFactor: 1, sidePanel: false },
  { width: 1024, height: 700, deviceScaleFactor: 2, sidePanel: true },
  { width: 800, height: 600, deviceScaleFactor: 1, sidePanel: false },
] as const

for (const size of SIZES) {
  const label = `${size.width}x${size.height}`
  describe(`editor at ${label}`, () => {
    const app = appForSuite({ query: '?backend=wasm', viewport: { width: size.width, height: size.height }, deviceScaleFactor: size.deviceScaleFactor })
    const windowBox = { x: 0, y: 0, width: size.width, height: size.height }

    it('fits the graph at a zoom where node text is readable, with the output node in view; the toolbar neither overlaps nor leaves the window', async () => {
      const { page } = app
      expect(await toolbarProblems(page)).toEqual([])
      const canvas = await canvasBox(page)
      const header = (await page.locator('header.toolbar').boundingBox())!
      expect(canvas.y).toBeGreaterThanOrEqual(header.y + header.height - 1)
      // Wrapping costs a row at most: the canvas keeps most of the window's height.
      expect(canvas.height).toBeGreaterThan(size.height * 0.7)

      await fitWithButton(page)
      const view = await page.evaluate(() => window.__hypersd!.view())
      expect(view.titlePx).toBeGreaterThanOrEqual(10)
      expect(view.textPx).toBeGreaterThanOrEqual(10)
      expect(view.lowQuality).toBe(false)

      const [saveId] = (await nodeIdsByType(page))['SaveImage']!
      const save = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), saveId!))!
      expect(inside(canvas, save)).toBe(true)
      // Clear of the minimap in the canvas's bottom-right corner: the output node is where the image appears.
      const minimap = (await page.locator('[data-testid=minimap]').boundingBox())!
      expect(overlap({ name: 'Save Image', ...save }, { name: 'minimap', ...minimap }), JSON.stringify({ save, minimap })).toBe(0)
      // The title is drawn as text, not left as a blank bar: light text pixels along its middle.
      const titleRow = await canvasColoursAround(page, save.x + save.width / 2, save.y + 14 * view.scale, save.width / 2 - 4)
      expect(titleRow.some(([r, g, b]) => Math.min(r, g, b) > 170)).toBe(true)
      // In CSS pixels whatever the device pixel ratio, so the three screenshots compare side by side.
      await page.screenshot({ path: resolve(ARTIFACTS, `layout-${label}.png`), scale: 'css' })
    })

    it('keeps the context menu inside the window when opened at the bottom edge of the canvas', async () => {
      const { page } = app
      const canvas = await canvasBox(page)
      // Bottom-left: the minimap sits in the bottom-right corner.
      const at = { x: canvas.x + 12, y: size.height - 4 }
      await page.mouse.click(at.x, at.y, { button: 'right' })
      const menu = page.locator('[data-testid=context-menu]')
      await menu.waitFor()
      const box = (await menu.boundingBox())!
      expect(inside(windowBox, box)).toBe(true)
      // Opened above the pointer rather than cut off under it.
      expect(box.y + box.height).toBeLessThanOrEqual(at.y + 1)
      const items = await menu.locator('li').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect))
      expect(items.length).toBeGreaterThanOrEqual(3)
      for (const item of items) expect(inside(windowBox, { x: item.x, y: item.y, width: item.width, height: item.height })).toBe(true)
      await page.mouse.click(2, 2)
      await menu.waitFor({ state: 'detached' })
    })

    it('places a node chosen after a link drop at the canvas edge next to the side panel inside the visible canvas, with the search popup inside the window', async () => {
      const { page } = app
      const byType = await nodeIdsByType(page)
      const [decodeId] = byType['VAEDecode']!
      const before = new Set(Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())))
      const canvas = await canvasBox(page)
      // Pan so the VAE Decode's image output sits near the canvas's left edge and empty canvas fills the rest.
      const slot = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'image'), decodeId!))!
      const view = await page.evaluate(() => window.__hypersd!.view())
      const slotInGraph = [(slot.x - canvas.x) / view.scale - view.offset[0], (slot.y - canvas.y) / view.scale - view.offset[1]] as const
      const scale = 0.8
      const centre: [number, number] = [slotInGraph[0] + (canvas.width / 2 - 60) / scale, slotInGraph[1]]
      await page.evaluate(({ scale, centre }) => window.__hypersd!.zoom(scale, centre), { scale, centre })
      await expect.poll(async () => (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'image'), decodeId!))!.x, { timeout: 3000 }).toBeLessThan(canvas.x + 70)
      const from = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'image'), decodeId!))!
      expect(inside(canvas, { ...from, width: 0, height: 0 })).toBe(true)
      // Dropped 8 px from the side panel (and below the middle): the new node's default place runs under the panel.
      const drop = { x: canvas.x + canvas.width - 8, y: canvas.y + canvas.height * 0.6 }
      await page.mouse.move(from.x, from.y)
      await page.mouse.down()
      await page.mouse.move((from.x + drop.x) / 2, (from.y + drop.y) / 2, { steps: 4 })
      await page.mouse.move(drop.x, drop.y, { steps: 4 })
      await page.mouse.up()
      const search = page.locator('[data-testid=node-search]')
      await expect(search.locator('.filter-note').textContent()).resolves.toMatch(/take\s+IMAGE/)
      expect(inside(windowBox, (await search.boundingBox())!)).toBe(true)
      await search.locator('input').fill('save image')
      await page.keyboard.press('Enter')
      await search.waitFor({ state: 'detached' })
      const added = Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).filter((id) => !before.has(id))
      expect(added).toHaveLength(1)
      const rect = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), added[0]!))!
      expect(rect.width).toBeGreaterThan(0)
      expect(inside(canvas, rect)).toBe(true)
      await page.keyboard.press('Control+z')
    })

    it('keeps every toolbar control in the window, without overlaps, while a run shows its progress', async () => {
      const { page } = app
      await page.click('[data-testid=run-button]')
      await page.waitForFunction(() => document.querySelector('[data-testid=progress]')?.getAttribute('data-state') === 'running', null, { timeout: 30_000 })
      expect(await toolbarProblems(page)).toEqual([])
      await page.click('[data-testid=cancel-button]')
      await page.waitForFunction(() => document.querySelector('[data-testid=progress]')?.getAttribute('data-state') !== 'running', null, { timeout: 60_000 })
      expect(app.errors).toEqual([])
    })

    it('zoomed out by hand below the low-detail threshold, draws node titles at a readable size as canvas text, and none on nodes too small to hold them', async () => {
      const { page } = app
      const canvas = await canvasBox(page)
      const [saveId] = (await nodeIdsByType(page))['SaveImage']!
      // Centre the Save Image node at 30 % zoom, where litegraph draws nodes as blank boxes.
      const before = await page.evaluate(() => window.__hypersd!.view())
      const start = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), saveId!))!
      const centre: [number, number] = [(start.x + start.width / 2 - canvas.x) / before.scale - before.offset[0], (start.y + start.height / 2 - canvas.y) / before.scale - before.offset[1]]
      await page.evaluate((centre) => window.__hypersd!.zoom(0.3, centre), centre)
      await expect.poll(async () => (await page.evaluate(() => window.__hypersd!.view())).lowDetailTitles, { timeout: 3000 }).toBeGreaterThan(0)
      const view = await page.evaluate(() => window.__hypersd!.view())
      expect(view.scale).toBeCloseTo(0.3)
      expect(view.lowQuality).toBe(true)
      // litegraph's own titles would be 15 px x 0.3 = 4.5 px.
      expect(view.titlePx).toBeLessThan(5)
      expect(view.lowDetailTitlePx).toBeGreaterThanOrEqual(11)

      // The title's pixels: light text (the theme's #ececec) along the top of the node, where litegraph alone
      // leaves the plain title bar and body colours.
      const save = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), saveId!))!
      expect(inside(canvas, save)).toBe(true)
      const rows = await Promise.all([3, 5, 7, 9, 11, 13].map((dy) => canvasColoursAround(page, save.x + save.width / 2, save.y + dy, save.width / 2 - 6)))
      expect(rows.flat().some(([r, g, b]) => Math.min(r, g, b) > 170)).toBe(true)
      await page.screenshot({ path: resolve(ARTIFACTS, `layout-low-detail-${label}.png`), scale: 'css' })

      // At litegraph's furthest zoom (10 %), nodes are a few dozen pixels wide: no titles, rather than text that
      // overlaps into soup.
      await page.evaluate((centre) => window.__hypersd!.zoom(0.1, centre), centre)
      await expect.poll(async () => (await page.evaluate(() => window.__hypersd!.view())).scale, { timeout: 3000 }).toBeCloseTo(0.1)
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
      const far = await page.evaluate(() => window.__hypersd!.view())
      expect(far.lowQuality).toBe(true)
      expect(far.lowDetailTitles).toBe(0)
      expect(far.lowDetailTitlePx).toBeNull()
      expect(app.errors).toEqual([])
    })

    it("zoomed out below the low-detail threshold, draws a collapsed node's title and a group's title as canvas text at a readable size", async () => {
      const { page } = app
      const original = await page.evaluate(() => window.__hypersd!.graphJson())
      // The default graph's Load Pipeline, collapsed and given a title long enough for its pill to hold a few
      // characters at 30 % (the pill is as wide as the title, up to the node's width); its group is left as it is.
      const file = JSON.parse(original) as { nodes: { id: string; type: string; title?: string }[]; layout: { nodes: Record<string, { collapsed?: boolean }>; groups: { bounding: number[] }[] } }
      const pipeline = file.nodes.find((n) => n.type === 'LoadPipeline')!
      pipeline.title = 'Load Pipeline for the Hyper-SD shapes model'
      file.layout.nodes[pipeline.id]!.collapsed = true
      const [gx, gy] = file.layout.groups[0]!.bounding as [number, number]
      await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(file))
      // The group's top-left corner a little up and left of the canvas's centre, at 30 % zoom.
      await page.evaluate((centre) => window.__hypersd!.zoom(0.3, centre), [gx + 150, gy + 80] as [number, number])
      await expect
        .poll(async () => {
          const v = await page.evaluate(() => window.__hypersd!.view())
          return [v.lowDetailCollapsedTitles > 0, v.lowDetailGroupTitles > 0]
        }, { timeout: 3000 })
        .toEqual([true, true])
      const view = await page.evaluate(() => window.__hypersd!.view())
      expect(view.scale).toBeCloseTo(0.3)
      expect(view.lowDetailTitlePx).toBeGreaterThanOrEqual(11)

      // Light text (the theme's #ececec) on the collapsed pill, where litegraph alone leaves a plain box in the
      // node's colour, and along the group's top-left corner, where litegraph alone writes a 7 px title in the
      // group's own blue.
      const canvas = await canvasBox(page)
      const pill = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), pipeline.id))!
      expect(inside(canvas, { x: pill.x, y: pill.y, width: 160, height: 16 })).toBe(true)
      // Only over the pill (about 96 px wide here), short of the Prompt node's own title 114 px to its right.
      const pillRows = await Promise.all([3, 5, 7, 9, 11, 13].map((dy) => canvasColoursAround(page, pill.x + 48, pill.y + dy, 44)))
      expect(pillRows.flat().some(([r, g, b]) => Math.min(r, g, b) > 170)).toBe(true)
      const corner = { x: canvas.x + (gx + view.offset[0]) * view.scale, y: canvas.y + (gy + view.offset[1]) * view.scale }
      expect(inside(canvas, { x: corner.x, y: corner.y - 8, width: 130, height: 18 })).toBe(true)
      const groupRows = await Promise.all([-6, -4, -2, 0, 2, 4].map((dy) => canvasColoursAround(page, corner.x + 64, corner.y + dy, 60)))
      expect(groupRows.flat().some(([r, g, b]) => Math.min(r, g, b) > 170)).toBe(true)
      await page.screenshot({ path: resolve(ARTIFACTS, `layout-low-detail-collapsed-group-${label}.png`), scale: 'css' })

      await page.evaluate((json) => window.__hypersd!.loadGraph(json), original)
      expect(app.errors).toEqual([])
    })

    if (size.sidePanel) {
      it('resizes by its handle within limits, collapses with side-panel-toggle, and keeps both over a reload; the canvas backing store follows', async () => {
        const { page } = app
        expect(size.deviceScaleFactor).toBe(2)
        const start = await panelSizes(page)
        expect(start.panel).toBe(340)
        expect(await canvasFollowsArea(page)).toBe(true)

        await dragHandle(page, -120)
        await expect.poll(async () => (await panelSizes(page)).panel).toBe(460)
        await expect.poll(() => canvasFollowsArea(page)).toBe(true)
        expect((await panelSizes(page)).wrap).toBe(start.wrap - 120)

        // Limits: the canvas keeps 320 px; the panel keeps 240 px.
        await dragHandle(page, -2000)
        await expect.poll(async () => (await panelSizes(page)).panel).toBe(size.width - 320)
        await dragHandle(page, 2000)
        await expect.poll(async () => (await panelSizes(page)).panel).toBe(240)
        await dragHandle(page, -160)
        await expect.poll(async () => (await panelSizes(page)).panel).toBe(400)

        const toggle = page.locator('[data-testid=side-panel-toggle]')
        await toggle.click()
        await expect.poll(async () => (await panelSizes(page)).panel).toBe(0)
        await expect.poll(() => canvasFollowsArea(page)).toBe(true)
        expect((await panelSizes(page)).wrap).toBe(size.width)
        expect(inside(windowBox, (await toggle.boundingBox())!)).toBe(true)
        await screenshot(page, 'layout-side-panel-collapsed')

        await page.reload()
        await waitReady(page)
        await expect.poll(async () => (await panelSizes(page)).panel).toBe(0)
        await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false')
        await toggle.click()
        await expect.poll(async () => (await panelSizes(page)).panel).toBe(400)
        await expect.poll(() => canvasFollowsArea(page)).toBe(true)
        await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true')
        expect(app.errors).toEqual([])
      })
    }
  })
}

