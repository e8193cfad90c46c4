// Links' own menu and reroutes, ComfyUI's way of tidying links: Alt+click on a link (or "Add reroute" in the link's menu) puts one there,
// and it lasts: in the saved graph, through undo and redo, and through a reload (the autosaved draft). Before, the
// editor let litegraph make them and saved none, so each vanished at the next undo, reload or save.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, nodeIdsByType, runOnce, screenshot, waitReady } from './harness.js'

const LORA_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-lora-4step.json'), 'utf8')

interface GraphJson {
  layout: { nodes: Record<string, { reroutes?: Record<string, number> }>; reroutes?: { id: number; pos: [number, number]; parent?: number }[] }
}

const graphJson = async (page: Page): Promise<GraphJson> => JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as GraphJson
const rerouteCount = async (page: Page): Promise<number> => (await graphJson(page)).layout.reroutes?.length ?? 0

/** The page point of the link's centre marker, once the canvas has drawn the link. */
async function linkCentre(page: Page, nodeId: string, input: string): Promise<{ x: number; y: number }> {
  await expect.poll(() => page.evaluate(([id, name]) => window.__hypersd!.linkCentre(id, name), [nodeId, input] as const)).not.toBeNull()
  return (await page.evaluate(([id, name]) => window.__hypersd!.linkCentre(id, name), [nodeId, input] as const))!
}

describe('reroutes', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('Alt+click on a link adds a reroute that is saved, undone and redone, and kept through a reload', async () => {
    const { page } = app
    const decode = (await nodeIdsByType(page))['VAEDecode']![0]!
    // The canvas's fit animation must end first, or the link moves under the click.
    await page.waitForTimeout(600)
    const at = await linkCentre(page, decode, 'latent')
    await page.keyboard.down('Alt')
    await page.mouse.click(at.x, at.y)
    await page.keyboard.up('Alt')
    await expect.poll(() => rerouteCount(page)).toBe(1)
    const saved = await graphJson(page)
    const id = saved.layout.reroutes![0]!.id
    expect(saved.layout.nodes[decode]!.reroutes).toEqual({ latent: id })
    await screenshot(page, 'reroutes-added')

    await page.keyboard.press('Control+z')
    await expect.poll(() => rerouteCount(page)).toBe(0)
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(() => rerouteCount(page)).toBe(1)

    // The draft is written 400 ms after a change; the reload restores it with the reroute on its link.
    await page.waitForTimeout(1500)
    await page.reload()
    await waitReady(page)
    await expect.poll(async () => (await graphJson(page)).layout.nodes[decode]?.reroutes, { timeout: 30_000 }).toEqual({ latent: id })
    expect(await page.evaluate(() => window.__hypersd!.reroutes().length)).toBe(1)
    // Layout only: the graph still runs.
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(app.errors).toEqual([])
  })

  it('the link’s centre marker opens the app’s menu: Add reroute, Delete link; a reroute’s menu deletes it', async () => {
    const { page } = app
    const decode = (await nodeIdsByType(page))['VAEDecode']![0]!
    const before = await rerouteCount(page)
    const centre = await linkCentre(page, decode, 'vae')
    await page.mouse.click(centre.x, centre.y)
    const menu = page.locator('[data-testid=context-menu]')
    await menu.waitFor()
    // No node takes and gives VAE, so no "Insert node…" here.
    expect(await menu.locator('li').allTextContents()).toEqual(['Add reroute (Alt+click on a link)', 'Delete link'])
    await menu.locator('li', { hasText: 'Add reroute' }).click()
    await expect.poll(() => rerouteCount(page)).toBe(before + 1)
    const added = (await graphJson(page)).layout.nodes[decode]!.reroutes!['vae']!

    const point = (await page.evaluate(() => window.__hypersd!.reroutes())).find((r) => r.id === added)!
    await page.mouse.click(point.x, point.y, { button: 'right' })
    await menu.waitFor()
    expect(await menu.locator('li').allTextContents()).toEqual(['Delete reroute'])
    await menu.locator('li', { hasText: 'Delete reroute' }).click()
    await expect.poll(() => rerouteCount(page)).toBe(before)
    expect((await graphJson(page)).layout.nodes[decode]!.reroutes?.['vae']).toBeUndefined()

    const linksBefore = await page.evaluate(() => window.__hypersd!.linkCount())
    const again = await linkCentre(page, decode, 'vae')
    await page.mouse.click(again.x, again.y)
    await menu.locator('li', { hasText: 'Delete link' }).click()
    await expect.poll(() => page.evaluate(() => window.__hypersd!.linkCount())).toBe(linksBefore - 1)
    expect(app.errors).toEqual([])
  })

  it('Insert node… in a link’s menu puts a node that takes and gives its type in the link’s place', async () => {
    const { page } = app
    // Without its layout the graph opens in columns, so the UNET link from Load Pipeline to the LoRA has its centre
    // in the gap between two columns, not under a node.
    const file = JSON.parse(LORA_GRAPH) as { layout?: unknown }
    delete file.layout
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(file))
    await page.waitForTimeout(600) // the one-off fit after opening
    const firstLora = (await nodeIdsByType(page))['UNetLoRA']![0]!
    // The fit frames the output end of this wide graph: show its start, where the columns begin (40, 40).
    await page.evaluate(() => window.__hypersd!.zoom(0.8, [400, 300]))
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
    const centre = await linkCentre(page, firstLora, 'unet')
    await page.mouse.click(centre.x, centre.y)
    const menu = page.locator('[data-testid=context-menu]')
    await menu.locator('li', { hasText: 'Insert node…' }).click()
    const search = page.locator('[data-testid=node-search]')
    await expect(search.locator('.filter-note').textContent()).resolves.toMatch(/take and give\s+UNET/)
    const offered = await search.locator('.results .name').allTextContents()
    expect(offered).toContain('UNet + LoRA')
    expect(offered).not.toContain('VAE Decode')
    await search.locator('.results li', { hasText: 'UNet + LoRA' }).first().click()
    await expect.poll(async () => (await nodeIdsByType(page))['UNetLoRA']?.length ?? 0).toBe(2)
    const inserted = (await nodeIdsByType(page))['UNetLoRA']!.find((id) => id !== firstLora)!
    const graph = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    expect(graph.nodes.find((n) => n.id === firstLora)!.inputs['unet']).toEqual({ from: [inserted, 'unet'] })
    expect(graph.nodes.find((n) => n.id === inserted)!.inputs['unet']).toEqual({ from: ['1', 'unet'] })
    // (A VAE link, which no node takes and gives, has no Insert node…: the test above checks its menu.)
    expect(app.errors).toEqual([])
  })
})
