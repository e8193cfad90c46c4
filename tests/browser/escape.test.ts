// Escape closes the topmost open layer wherever the focus is: the Drafts popover, the ComfyUI export menu and a
// context menu (Escape did nothing there), and the dialogs (the sweep panel, Templates) once their field has lost
// the focus. With a dialog over another (the unsaved-changes question over Templates), it closes the top one only.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, nodeIdsByType } from './harness.js'

const shown = (page: Page, selector: string): Promise<number> => page.locator(selector).count()

/** Clicks a dialog's title, where nothing takes the focus, then presses Escape. */
async function escapeFrom(page: Page, titleSelector: string): Promise<void> {
  await page.locator(titleSelector).click()
  await page.keyboard.press('Escape')
}

describe('Escape', () => {
  const app = appForSuite()

  it('closes the Drafts popover, the ComfyUI export menu and a context menu', async () => {
    const { page } = app
    await page.click('[data-testid=recent-drafts-button]')
    await page.locator('[data-testid=recent-drafts]').waitFor()
    await page.keyboard.press('Escape')
    await expect.poll(() => shown(page, '[data-testid=recent-drafts]')).toBe(0)

    await page.click('[data-testid=export-comfyui-menu-button]')
    await page.locator('.comfy-export-menu').waitFor()
    await page.keyboard.press('Escape')
    await expect.poll(() => shown(page, '.comfy-export-menu')).toBe(0)
    // Nothing left open blocks the toolbar.
    await page.click('[data-testid=recent-drafts-button]', { timeout: 5_000 })
    await page.keyboard.press('Escape')

    const canvas = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.click(canvas.x + 12, canvas.y + 12, { button: 'right' })
    await page.locator('[data-testid=context-menu]').waitFor()
    await page.keyboard.press('Escape')
    await expect.poll(() => shown(page, '[data-testid=context-menu]')).toBe(0)
  })

  it('closes the sweep panel and Templates with the focus outside their fields', async () => {
    const { page } = app
    await page.click('[data-testid=sweep-button]')
    await page.locator('[data-testid=sweep-panel]').waitFor()
    await escapeFrom(page, '#sweep-title')
    await expect.poll(() => shown(page, '[data-testid=sweep-panel]')).toBe(0)

    await page.click('[data-testid=templates-button]')
    await page.locator('[data-testid=templates-browser]').waitFor()
    await escapeFrom(page, '#templates-title')
    await expect.poll(() => shown(page, '[data-testid=templates-browser]')).toBe(0)
  })

  it('closes only the top layer: the unsaved-changes question, then Templates under it', async () => {
    const { page } = app
    const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 99), sampler!)
    await page.click('[data-testid=templates-button]')
    await page.locator('[data-testid=template-item][data-file="shapes-2step.json"]').click()
    await page.locator('[data-testid=discard-dialog]').waitFor()
    await page.keyboard.press('Escape')
    await expect.poll(() => shown(page, '[data-testid=discard-dialog]')).toBe(0)
    expect(await shown(page, '[data-testid=templates-browser]')).toBe(1)
    // Kept editing: the edit is still there.
    expect(await page.evaluate(() => window.__hypersd!.dirty())).toBe(true)
    await page.keyboard.press('Escape')
    await expect.poll(() => shown(page, '[data-testid=templates-browser]')).toBe(0)
  })

  it("leaves the graph's shortcuts to the graph: Ctrl+Z does nothing behind an open dialog", async () => {
    const { page } = app
    const count = async () => Object.values(await nodeIdsByType(page)).flat().length
    const nodes = await count()
    const canvas = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + 12)
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Delete')
    await expect.poll(count).toBe(0)
    await page.click('[data-testid=templates-button]')
    await page.locator('[data-testid=templates-browser]').waitFor()
    await page.locator('#templates-title').click()
    await page.keyboard.press('Control+z')
    await page.keyboard.press('Escape')
    await expect.poll(() => shown(page, '[data-testid=templates-browser]')).toBe(0)
    expect(await count()).toBe(0)
    // With the dialog closed, Ctrl+Z undoes the deletion.
    await page.keyboard.press('Control+z')
    await expect.poll(count).toBe(nodes)
  })
})
