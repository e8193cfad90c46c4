// Issue 14 §7 and §9 in the editor (real Chromium, built app): a type-mismatched link, a self-loop and a link
// closing a cycle were dropped on load without a word (or a 4 s toast without node ids); huge coordinates blanked
// the canvas and saved back as null; a node saved by a newer build was saved as version 1. Now every repair is
// named in a panel that stays until dismissed, coordinates are clamped, and saving keeps the newer version.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { appForSuite, screenshot } from './harness.js'

interface FileNode {
  id: string
  type: string
  version: number
  inputs: Record<string, unknown>
}
interface FileShape {
  nodes: FileNode[]
  layout: { nodes: Record<string, { pos: number[]; size?: number[] }> }
}

const BASE = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')

function graphWith(change: (file: FileShape) => void): string {
  const file = JSON.parse(BASE) as FileShape
  change(file)
  return JSON.stringify(file)
}

const node = (file: FileShape, id: string): FileNode => file.nodes.find((n) => n.id === id)!

/** CLIP fed by a UNet, a decoder fed by its own output, and two samplers feeding each other. */
const BROKEN = graphWith((file) => {
  node(file, '2').inputs['clip'] = { from: ['1', 'unet'] }
  node(file, '5').inputs['latent'] = { from: ['5', 'image'] }
  const second = structuredClone(node(file, '4'))
  second.id = '8'
  second.inputs['latent'] = { from: ['4', 'latent'] }
  file.nodes.push(second)
  node(file, '4').inputs['latent'] = { from: ['8', 'latent'] }
  file.layout.nodes['8'] = { pos: [800, 520], size: [340, 400] }
})

async function open(page: Page, name: string, text: string): Promise<void> {
  await page.locator('[data-testid=file-input]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) })
}

async function saveDownload(page: Page): Promise<string> {
  await page.locator('[data-testid=graph-canvas]').focus()
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')])
  return readFileSync(await download.path(), 'utf8')
}

describe('repairs on load (issue 14 §7, §9)', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('names every dropped link in a panel that stays until dismissed', async () => {
    const { page } = app
    await open(page, 'broken.json', BROKEN)
    const panel = page.locator('[data-testid=load-repairs]')
    await panel.waitFor({ state: 'visible' })
    const lines = await panel.locator('[data-section=repairs] li').allTextContents()
    expect(lines).toEqual([
      'node 2 (CLIPTextEncode), input "clip": link from node 1 (LoadPipeline) output "unet" dropped (LoadPipeline.unet gives UNET but CLIPTextEncode.clip takes CLIP)',
      'node 5 (VAEDecode), input "latent": link from its own output "image" dropped (a node cannot feed itself)',
      'node 8 (TSCDSampler), input "latent": link from node 4 (TSCDSampler) output "latent" dropped to break the cycle 4 -> 8 -> 4',
    ])
    const shown = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as FileShape
    expect(node(shown, '4').inputs['latent']).toEqual({ from: ['8', 'latent'] })
    for (const [id, input] of [['2', 'clip'], ['5', 'latent'], ['8', 'latent']] as const) expect(node(shown, id).inputs).not.toHaveProperty(input)
    // Every other link arrived: the graph's links and the copied sampler's 3, less the 3 dropped.
    expect(await page.evaluate(() => window.__hypersd!.linkCount())).toBe(BASE.match(/"from"/g)!.length + 3 - 3)
    await screenshot(page, 'load-repairs')
    // An edit does not clear it; only Dismiss does.
    await page.evaluate(() => window.__hypersd!.setValue('4', 'seed', 7))
    await page.waitForFunction(() => window.__hypersd!.dirty())
    await expect(panel.isVisible()).resolves.toBe(true)
    await page.locator('[data-testid=load-repairs-dismiss]').click()
    await panel.waitFor({ state: 'detached' })
    // The CLI's hypersd validate prints the same lines (tests/hardening/load-repairs.test.ts).
  })

  it('clamps huge coordinates, says so, and saves a file that opens again', async () => {
    const { page } = app
    const huge = graphWith((file) => {
      file.layout.nodes['1'] = { pos: [1e308, -1e308], size: [1e308, 0] }
    })
    await open(page, 'huge.json', huge)
    const panel = page.locator('[data-testid=load-repairs]')
    await panel.waitFor({ state: 'visible' })
    expect(await panel.locator('[data-section=repairs] li').allTextContents()).toEqual([
      'node 1 (LoadPipeline): position [1e+308, -1e+308] moved to [1000000, -1000000] (coordinates are kept within ±1000000)',
      'node 1 (LoadPipeline): size [1e+308, 0] changed to [100000, 10] (sizes are kept within 10 to 100000)',
    ])
    const saved = await saveDownload(page)
    expect(saved).not.toContain('null')
    const file = JSON.parse(saved) as FileShape
    expect(file.layout.nodes['1']!.pos).toEqual([1e6, -1e6])
    await expect(page.locator('[data-testid=save-error]').count()).resolves.toBe(0)
    // The saved file reopens with nothing left to repair (the panel goes with the graph it was about) and no error.
    await open(page, 'saved.json', saved)
    await panel.waitFor({ state: 'detached' })
    expect((JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as FileShape).layout.nodes['1']!.pos).toEqual([1e6, -1e6])
    await expect(page.locator('[data-testid=error-panel]').count()).resolves.toBe(0)
  })

  it('keeps the version of a node saved by a newer build, with a warning like the CLI', async () => {
    const { page } = app
    await open(page, 'newer.json', graphWith((file) => (node(file, '5').version = 99)))
    const warnings = page.locator('[data-testid=load-repairs] [data-section=warnings] li')
    await warnings.first().waitFor({ state: 'visible' })
    expect(await warnings.allTextContents()).toEqual(['node 5 (VAEDecode): saved with version 99, this build has version 1'])
    const saved = JSON.parse(await saveDownload(page)) as FileShape
    expect(node(saved, '5').version).toBe(99)
    expect(node(saved, '6').version).toBe(1)
    await page.locator('[data-testid=load-repairs-dismiss]').click()
  })
})
