// Inpainting in the editor: the shapes-inpaint template runs to the picture the CLI makes of it (the image's colours
// under its transparent pixels are read as the CLI reads them, not zeroed by a canvas), and the mask editor paints a
// mask that is saved as the image's transparency and used by the next run.
import type { Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch } from '../../nodes/types.js'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'
import { appForSuite, meanRgbDifference, nodeIdsByType, outputPixels, runOnce, screenshot } from './harness.js'

const host = createTestHost()
afterAll(async () => host.dispose())

const imageValue = async (page: Page, id: string): Promise<string> =>
  page.evaluate((id) => (JSON.parse(window.__hypersd!.graphJson()) as { nodes: { id: string; inputs: Record<string, unknown> }[] }).nodes.find((n) => n.id === id)!.inputs['image'] as string, id)

/** Pixels in the picture's middle 16x16 that look red (the source's circle) or yellow (the prompt's square). */
function middleColours(picture: ArrayLike<number>): { red: number; yellow: number } {
  let red = 0
  let yellow = 0
  for (let y = 24; y < 40; y++) {
    for (let x = 24; x < 40; x++) {
      const [r, g, b] = [picture[(y * 64 + x) * 4]!, picture[(y * 64 + x) * 4 + 1]!, picture[(y * 64 + x) * 4 + 2]!]
      if (r > 170 && g < 110 && b < 110) red++
      if (r > 180 && g > 150 && b < 120) yellow++
    }
  }
  return { red, yellow }
}

describe('inpainting in the editor', () => {
  const app = appForSuite()

  it('the inpainting template runs to the CLI\'s picture: the middle redrawn to the prompt, the blue around it kept', async () => {
    const { page } = app
    await page.click('[data-testid=templates-button]')
    await page.locator('[data-testid=template-item][data-file="shapes-inpaint.json"]').click()
    await page.locator('[data-testid=templates-browser]').waitFor({ state: 'detached' })
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    await expect(page.innerText('[data-testid=output-params]')).resolves.toMatch(/inpaint\s+true/)
    const picture = await outputPixels(page)
    const cli = (await host.engine.run(withOverrides(shippedGraph('shapes-inpaint.json'), []))).outputs.get('5')!.image as ImageBatch
    // onnxruntime-web's WASM kernels against onnxruntime-node's: the same picture up to rounding.
    expect(meanRgbDifference(picture.data, cli.images[0]!)).toBeLessThan(1)
    expect(middleColours(picture.data).yellow).toBeGreaterThan(150)
    await screenshot(page, 'inpaint-template-run')
  })

  it('Edit mask… paints the mask over the image; saved as a new image, the next run keeps the middle and redraws the rest', async () => {
    const { page } = app
    const [loadId] = (await nodeIdsByType(page))['LoadImage']!
    const title = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), loadId!))!
    await page.mouse.click(title.x + title.width / 2, title.y + 8)
    await page.locator('.tabs button', { hasText: 'Node' }).first().click()
    await page.click('[data-testid=mask-edit]')
    const canvas = page.locator('[data-testid=mask-canvas]')
    await canvas.waitFor()
    // The image's transparent middle shows as the mask (translucent white over the picture) when the editor opens.
    const middleShade = () =>
      canvas.evaluate((el: HTMLCanvasElement) => {
        const context = el.getContext('2d')!
        const [r, g, b] = context.getImageData(el.width / 2, el.height / 2, 1, 1).data
        return { r: r!, g: g!, b: b! }
      })
    await expect.poll(async () => (await middleShade()).g).toBeGreaterThan(150)
    await screenshot(page, 'inpaint-mask-editor')
    // Invert: the border is to be redrawn, the middle (the red circle) kept.
    await page.click('[data-testid=mask-invert]')
    await expect.poll(async () => (await middleShade()).g).toBeLessThan(100)
    // Ctrl+Z undoes the invert in the editor (not an edit of the graph behind it); Ctrl+Shift+Z redoes it.
    const graphBefore = await page.evaluate(() => window.__hypersd!.graphJson())
    await page.keyboard.press('Control+z')
    await expect.poll(async () => (await middleShade()).g).toBeGreaterThan(150)
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(async () => (await middleShade()).g).toBeLessThan(100)
    expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(graphBefore)
    await expect(page.locator('[data-testid=mask-redo]').isDisabled()).resolves.toBe(true)
    // A stroke with the eraser across the top edge keeps that strip too.
    const box = (await canvas.boundingBox())!
    await page.check('[data-testid=mask-erase]')
    await page.mouse.move(box.x + 4, box.y + 4)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width / 2, box.y + 4, { steps: 5 })
    await page.mouse.up()
    await page.click('[data-testid=mask-save]')
    await page.locator('[data-testid=mask-editor]').waitFor({ state: 'detached' })
    await expect.poll(() => imageValue(page, loadId!)).toBe('shapes-inpaint-mask.png')

    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    const picture = await outputPixels(page)
    const colours = middleColours(picture.data)
    expect(colours.yellow).toBe(0)
    expect(colours.red).toBeGreaterThan(150)
    // The uploaded image is listed with the others.
    await page.click('[data-testid=settings-tab]')
    await expect.poll(() => page.locator('[data-testid=input-image-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toContain('shapes-inpaint-mask.png')
    await screenshot(page, 'inpaint-mask-edited-run')

    // The node's context menu opens the editor too (ComfyUI's "Open in MaskEditor"), on the image the node now names;
    // Escape closes it and changes nothing.
    const node = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), loadId!))!
    await page.mouse.click(node.x + node.width / 2, node.y + 8, { button: 'right' })
    await page.locator('[data-testid=context-menu] li', { hasText: 'Edit mask…' }).click()
    await expect(page.locator('#mask-editor-title').textContent()).resolves.toContain('shapes-inpaint-mask.png')
    await page.keyboard.press('Escape')
    await page.locator('[data-testid=mask-editor]').waitFor({ state: 'detached' })
    expect(await imageValue(page, loadId!)).toBe('shapes-inpaint-mask.png')
  })
})
