// graphs/tiny-sd15-lora-4step.json end to end: scale 0 writes the plain graph's image, a live scale change re-runs
// without building a session, merge and live agree.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decodePng, readPngTextChunks } from '../../src/graph/png.js'
import { encodeSafetensors } from '../../src/models/safetensors/writer.js'
import { loadGraph } from '../../src/cli/graph-loading.js'
import { maxAbsDiff } from '../helpers/arrays.js'
import { runCli } from '../cli/run-cli.js'
import { GRAPHS, GraphRunner } from './graph-run.js'

/** The PNG's chunks except text chunks (tEXt/iTXt/zTXt carry the graph and parameters, which name the LoRA). */
function imageChunks(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const kept: Uint8Array[] = [png.subarray(0, 8)]
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8))
    const end = at + 12 + length
    if (!['tEXt', 'iTXt', 'zTXt'].includes(type)) kept.push(png.subarray(at, end))
    at = end
  }
  return Buffer.concat(kept)
}

const runner = new GraphRunner()
afterAll(() => runner.dispose())

const maxPixelDiff = (a: Uint8Array, b: Uint8Array): number => maxAbsDiff(decodePng(a).data, decodePng(b).data)

describe('tiny-sd15-lora-4step.json', () => {
  it('with scale 0 writes exactly the plain graph\'s image (CLI)', () => {
    const plainDir = mkdtempSync(join(tmpdir(), 'hypersd-lora-'))
    const loraDir = mkdtempSync(join(tmpdir(), 'hypersd-lora-'))
    const plain = runCli(['run', join(GRAPHS, 'tiny-sd15-4step.json'), '--out', plainDir, '--quiet'])
    expect(plain.stderr).toBe('')
    const lora = runCli(['run', join(GRAPHS, 'tiny-sd15-lora-4step.json'), '--out', loraDir, '--quiet', '--set', '9.scale=0'])
    expect(lora.stderr).toBe('')
    expect(lora.code).toBe(0)
    const [a] = readdirSync(plainDir).map((f) => readFileSync(join(plainDir, f)))
    const [b] = readdirSync(loraDir).map((f) => readFileSync(join(loraDir, f)))
    expect(Buffer.compare(imageChunks(a!), imageChunks(b!))).toBe(0)
    expect(readPngTextChunks(b!).get('parameters')).toContain('loras/tiny-hyper-sd15-4step-kohya.safetensors')
  })

  it('moving the live scale re-runs without a new session; merge gives the live image', async () => {
    const plain = await runner.run('tiny-sd15-4step.json')
    const zero = await runner.run('tiny-sd15-lora-4step.json', ['9.scale=0'])
    expect(Buffer.compare(imageChunks(plain.pngs[0]!), imageChunks(zero.pngs[0]!))).toBe(0)
    const half = await runner.run('tiny-sd15-lora-4step.json', ['9.scale=0.5'])
    const creates = runner.host.sessions.stats.creates
    const full = await runner.run('tiny-sd15-lora-4step.json', ['9.scale=1'])
    const again = await runner.run('tiny-sd15-lora-4step.json', ['9.scale=0'])
    expect(runner.host.sessions.stats.creates).toBe(creates)
    expect(Buffer.compare(imageChunks(again.pngs[0]!), imageChunks(plain.pngs[0]!))).toBe(0)
    expect(maxPixelDiff(half.pngs[0]!, full.pngs[0]!)).toBeGreaterThan(2)
    expect(maxPixelDiff(plain.pngs[0]!, full.pngs[0]!)).toBeGreaterThan(2)
    // merge mode bakes the same LoRA in: the same image up to 8-bit rounding of tiny float differences.
    const merged = await runner.run('tiny-sd15-lora-4step.json', ['9.scale=1', '9.mode=merge'])
    expect(runner.host.sessions.stats.creates).toBeGreaterThan(creates)
    expect(maxPixelDiff(merged.pngs[0]!, full.pngs[0]!)).toBeLessThanOrEqual(1)
    expect(runner.warnings).toEqual([])
  })

  it('names the node and input for a missing LoRA file, and refuses a LoRA for another model with statistics', async () => {
    await expect(runner.run('tiny-sd15-lora-4step.json', ['9.lora=loras/missing.safetensors'])).rejects.toThrow(
      /node 9 \(UNetLoRA\), input "lora": LoRA file not found: .*missing\.safetensors/,
    )
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-lora-'))
    const stem = 'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q'
    const sdxl = encodeSafetensors([
      { name: `${stem}.lora_down.weight`, dtype: 'F32', shape: [4, 640], data: new Uint8Array(4 * 640 * 4) },
      { name: `${stem}.lora_up.weight`, dtype: 'F32', shape: [640, 4], data: new Uint8Array(4 * 640 * 4) },
    ])
    writeFileSync(join(dir, 'sdxl.safetensors'), sdxl)
    await expect(runner.run('tiny-sd15-lora-4step.json', [`9.lora=${join(dir, 'sdxl.safetensors')}`])).rejects.toThrow(
      /does not fit the UNet: 0 of 2 tensors matched, 0 layers patched; 1 modules have other shapes/,
    )
  })

  it('a UNet + LoRA without a text encoder passes the UNet on; a prompt taking its empty clip output names both ends', async () => {
    const graph = await loadGraph(join(GRAPHS, 'tiny-sd15-lora-4step.json'), runner.registry, [])
    const withoutClip = (text: string) => ({
      nodes: graph.exec.nodes.map((n) => {
        if (n.id === '9') return { ...n, inputs: Object.fromEntries(Object.entries(n.inputs).filter(([name]) => name !== 'clip')) }
        if (n.id === '2') return { ...n, inputs: { ...n.inputs, clip: { from: [text, 'clip'] as [string, string] } } }
        return n
      }),
    })
    await expect(runner.engine.run(withoutClip('9'))).rejects.toThrow(
      'node 2 (CLIPTextEncode), input "clip": node 9 gave no value for its output "clip" (is its matching input connected?)',
    )
    // With the prompt encoded by the pipeline's own text encoder, the UNet-only LoRA runs.
    const before = runner.images.length
    await runner.engine.run(withoutClip('1'))
    expect(runner.images.length).toBe(before + 1)
  })
})
