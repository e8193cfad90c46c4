// img2img in the editor: the shapes-img2img template shows its sketch in Load Image and runs; an image (no graph in
// it) dropped on Load Image replaces its input, is kept across a reload, and one dropped elsewhere gets its own Load
// Image node; the widget's menu uploads through the file dialog.
import jpeg from 'jpeg-js'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, lastRun, nodeIdsByType, runOnce, screenshot, waitReady } from './harness.js'

/** A 64x64 JPEG of a flat colour square on another colour: no graph inside. */
function squareJpeg(square: [number, number, number], ground: [number, number, number]): number[] {
  const data = new Uint8Array(64 * 64 * 4)
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) data.set([...(x > 16 && x < 48 && y > 16 && y < 48 ? square : ground), 255], (y * 64 + x) * 4)
  return [...jpeg.encode({ width: 64, height: 64, data }, 95).data]
}
const GREEN_ON_YELLOW = squareJpeg([50, 170, 70], [240, 210, 40])
const PURPLE_ON_WHITE = squareJpeg([140, 60, 190], [240, 240, 240])

/** Pixels of node `id` on the canvas that `match` picks. */
async function pixelsInNode(page: Page, id: string, match: 'red' | 'green' | 'purple'): Promise<number> {
  return page.evaluate(
    ({ id, match }) => {
      const rect = window.__hypersd!.nodeRect(id)!
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!
      const box = canvas.getBoundingClientRect()
      const ratio = canvas.width / box.width
      const data = canvas.getContext('2d')!.getImageData((rect.x - box.left) * ratio, (rect.y - box.top) * ratio, rect.width * ratio, rect.height * ratio).data
      const tests = {
        red: (r: number, g: number, b: number) => r > 170 && g < 110 && b < 110,
        green: (r: number, g: number, b: number) => g > 140 && r < 100 && b < 110,
        purple: (r: number, g: number, b: number) => r > 110 && b > 160 && g < 100,
      }
      let count = 0
      for (let i = 0; i < data.length; i += 4) if (tests[match](data[i]!, data[i + 1]!, data[i + 2]!)) count++
      return count
    },
    { id, match },
  )
}

async function dropAt(page: Page, name: string, bytes: number[], x: number, y: number): Promise<void> {
  await page.evaluate(
    ({ name, bytes, x, y }) => {
      const transfer = new DataTransfer()
      transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' }))
      document.querySelector('.app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true, clientX: x, clientY: y }))
    },
    { name, bytes, x, y },
  )
}

const imageValue = async (page: Page, id: string): Promise<string> =>
  page.evaluate((id) => (JSON.parse(window.__hypersd!.graphJson()) as { nodes: { id: string; inputs: Record<string, unknown> }[] }).nodes.find((n) => n.id === id)!.inputs['image'] as string, id)

describe('img2img in the editor', () => {
  const app = appForSuite()

  it('the img2img template shows its sketch in Load Image and runs it into a picture', async () => {
    const { page } = app
    await page.click('[data-testid=templates-button]')
    await page.locator('[data-testid=template-item][data-file="shapes-img2img.json"]').click()
    await page.locator('[data-testid=templates-browser]').waitFor({ state: 'detached' })
    const [loadId] = (await nodeIdsByType(page))['LoadImage']!
    await expect.poll(() => pixelsInNode(page, loadId!, 'red'), { timeout: 20_000 }).toBeGreaterThan(200)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    await expect(page.innerText('[data-testid=output-params]')).resolves.toMatch(/init_image\s+shapes-sketch\.png/)
    await screenshot(page, 'img2img-template-run')
  })

  it('an image dropped on Load Image replaces its input and is kept across a reload; dropped elsewhere, it gets its own node', async () => {
    const { page } = app
    const [loadId] = (await nodeIdsByType(page))['LoadImage']!
    const rect = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), loadId!))!
    await dropAt(page, 'square.jpg', GREEN_ON_YELLOW, rect.x + rect.width / 2, rect.y + rect.height / 2)
    await expect.poll(() => imageValue(page, loadId!)).toBe('square.jpg')
    await expect.poll(() => pixelsInNode(page, loadId!, 'green'), { timeout: 20_000 }).toBeGreaterThan(200)
    expect(await pixelsInNode(page, loadId!, 'red')).toBe(0)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    await expect(page.innerText('[data-testid=output-params]')).resolves.toMatch(/init_image\s+square\.jpg/)

    // Another file under the same name is another image: it gets a new name, and the first keeps its own.
    const canvas = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    const before = (await nodeIdsByType(page))['LoadImage']!.length
    await dropAt(page, 'square.jpg', PURPLE_ON_WHITE, canvas.x + 60, canvas.y + canvas.height - 60)
    await expect.poll(async () => (await nodeIdsByType(page))['LoadImage']?.length).toBe(before + 1)
    const added = (await nodeIdsByType(page))['LoadImage']!.find((id) => id !== loadId)!
    await expect.poll(() => imageValue(page, added)).toBe('square (2).jpg')
    await expect.poll(() => pixelsInNode(page, added, 'purple'), { timeout: 20_000 }).toBeGreaterThan(100)

    // A pasted image goes into the selected Load Image node (ComfyUI's habit), not into a new one.
    const addedRect = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), added))!
    await page.mouse.click(addedRect.x + addedRect.width / 2, addedRect.y + 8)
    await page.evaluate((bytes) => {
      const data = new DataTransfer()
      data.items.add(new File([new Uint8Array(bytes)], 'pasted.jpg', { type: 'image/jpeg' }))
      document.querySelector('[data-testid=graph-canvas]')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    }, GREEN_ON_YELLOW)
    await expect.poll(() => imageValue(page, added)).toBe('pasted.jpg')
    expect((await nodeIdsByType(page))['LoadImage']).toHaveLength(before + 1)

    // After a reload (the autosave brings the graph back) the uploaded image is still there to run.
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 99), (await nodeIdsByType(page))['TSCDSampler']![0]!)
    await page.waitForTimeout(1_500)
    await page.reload()
    await waitReady(page)
    await expect.poll(() => imageValue(page, loadId!)).toBe('square.jpg')
    await expect.poll(() => pixelsInNode(page, loadId!, 'green'), { timeout: 20_000 }).toBeGreaterThan(200)
    const again = await runOnce(page)
    expect(again.status, again.error ?? '').toBe('done')
    await screenshot(page, 'img2img-dropped-image')
  })

  it('the widget\'s menu uploads an image through the file dialog; a missing image fails naming the node and how to fix it', async () => {
    const { page } = app
    const [loadId] = (await nodeIdsByType(page))['LoadImage']!
    const point = (await page.evaluate((id) => window.__hypersd!.widgetPoint(id, 'image'), loadId!))!
    await page.mouse.click(point.x, point.y)
    const chooser = page.waitForEvent('filechooser')
    await page.getByText('Upload image…', { exact: true }).click()
    await (await chooser).setFiles({ name: 'chosen.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(PURPLE_ON_WHITE) })
    await expect.poll(() => imageValue(page, loadId!)).toBe('chosen.jpg')
    await expect.poll(() => pixelsInNode(page, loadId!, 'purple'), { timeout: 20_000 }).toBeGreaterThan(100)

    await page.evaluate((id) => window.__hypersd!.setValue(id, 'image', 'not-uploaded.png'), loadId!)
    // The node is flagged, and its inspector says what to do, before any run.
    const missing = page.locator('[data-testid=image-missing]')
    const title = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), loadId!))!
    await page.mouse.click(title.x + title.width / 2, title.y + 8)
    await page.locator('.tabs button', { hasText: 'Node' }).first().click()
    await expect(missing.textContent()).resolves.toContain('No image “not-uploaded.png” here')
    const failed = await runOnce(page)
    expect(failed.status).toBe('error')
    expect(failed.error).toContain(`node ${loadId} (LoadImage), input "image": "not-uploaded.png": no such image here (drop the image on the canvas`)
    expect((await lastRun(page)).status).toBe('error')

    // Settings lists the uploads; deleting one a node names flags that node's image as missing.
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'image', 'chosen.jpg'), loadId!)
    await page.click('[data-testid=settings-tab]')
    const rows = page.locator('[data-testid=input-image-row]')
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')).sort())).toEqual(['chosen.jpg', 'pasted.jpg', 'square (2).jpg', 'square.jpg'])
    await page.locator('[data-testid=input-image-row][data-name="chosen.jpg"] [data-testid=input-image-delete]').click()
    await expect.poll(() => rows.count()).toBe(3)
    await page.locator('.tabs button', { hasText: 'Node' }).first().click()
    await expect(page.locator('[data-testid=image-missing]').textContent()).resolves.toContain('No image “chosen.jpg” here')
  })
})
