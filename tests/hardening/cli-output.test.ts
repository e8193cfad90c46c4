// Issue 14 §9: `--out /proc/foo` spun at 100% CPU forever (Node's recursive mkdir), and Ctrl+C while a batch was
// being written left a `.partial` file and part of the batch, without saying which images were written.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PendingImages, ensureWritableFolder } from '../../src/cli/image-writer.js'
import { makeFolder } from '../../src/cli/make-folder.js'
import { encodePng } from '../../src/graph/png.js'
import { ROOT, runCli } from '../cli/run-cli.js'

const png = encodePng(new Uint8Array([1, 2, 3, 255]), 1, 1)

function batchOf(count: number): PendingImages {
  const images = new PendingImages(false)
  images.add({ nodeId: '7', kind: 'save', filenamePrefix: 'batch', pngs: Array.from({ length: count }, () => png), width: 1, height: 1, parameters: {} })
  return images
}

describe('output folder (issue 14 §9)', () => {
  it('hypersd run --out /proc/... fails at once, naming the folder, instead of spinning', () => {
    const result = runCli(['run', join(ROOT, 'graphs', 'tiny-sd15-1step.json'), '--out', '/proc/hypersd-out/images'])
    expect(result.stderr).toContain('output folder /proc/hypersd-out/images cannot be written: cannot create /proc/hypersd-out')
    expect(result.code).not.toBe(0)
  })

  it('refuses a path through a file, and creates missing levels under a real folder', async () => {
    await expect(ensureWritableFolder('/dev/null/out')).rejects.toThrow('output folder /dev/null/out cannot be written (ENOTDIR)')
    const root = mkdtempSync(join(tmpdir(), 'hypersd-out-'))
    await makeFolder(join(root, 'a', 'b', 'c'))
    await makeFolder(join(root, 'a', 'b', 'c')) // already there: nothing to do
    expect(existsSync(join(root, 'a', 'b', 'c'))).toBe(true)
  })
})

describe('interrupted batch write (issue 14 §9)', () => {
  it('stops at the interrupt: no .partial file, and the result lists exactly the images on disk', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hypersd-batch-'))
    const controller = new AbortController()
    let started = 0
    // Ctrl+C arrives as the third image starts writing.
    const result = await batchOf(5).writeAll(folder, controller.signal, () => {
      if (++started === 3) controller.abort()
    })
    expect(result.interrupted).toBe(true)
    expect(result.written).toEqual([join(folder, 'batch_00001.png'), join(folder, 'batch_00002.png')])
    expect(readdirSync(folder).sort()).toEqual(['batch_00001.png', 'batch_00002.png'])
  })

  it('writes the whole batch when nothing interrupts it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hypersd-batch-'))
    const result = await batchOf(3).writeAll(folder, new AbortController().signal)
    expect(result).toEqual({ written: ['batch_00001.png', 'batch_00002.png', 'batch_00003.png'].map((n) => join(folder, n)), interrupted: false })
    expect(readdirSync(folder).filter((n) => n.endsWith('.partial'))).toEqual([])
  })
})
