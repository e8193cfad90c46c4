// Reroutes, ComfyUI's way of tidying links: Alt+click on a link (or "Add reroute" in the link's menu) puts one there,
// and it lasts: in the saved graph, through undo and redo, and through a reload (the autosaved draft). Before, the
// editor let litegraph make them and saved none, so each vanished at the next undo, reload or save.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, nodeIdsByType, runOnce, screenshot, waitReady } from './harness.js'

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
})
