// Issue 14 §9: a LoRA with NaN factors gave an all-black PNG with status "done"; a LoRA with no tensors ran without
// a word; a PyTorch checkpoint renamed .safetensors was refused with "header length ...". Each runs the tiny LoRA
// graph through the engine, the nodes and the CLI's host (real onnxruntime-node sessions).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readSafetensors } from '../../src/models/safetensors/reader.js'
import { encodeSafetensors, float32Bytes, type TensorToWrite } from '../../src/models/safetensors/writer.js'
import { ROOT } from '../cli/run-cli.js'
import { GraphRunner } from '../lora/graph-run.js'

const GRAPH = 'tiny-sd15-lora-4step.json'
const LORA = join(ROOT, 'public', 'models', 'loras', 'tiny-hyper-sd15-4step-kohya.safetensors')
const dir = mkdtempSync(join(tmpdir(), 'hypersd-bad-weights-'))
const runner = new GraphRunner()
afterAll(() => runner.dispose())

/** The shipped tiny LoRA as F32, every value passed through `change` (given the tensor's name and index). */
async function rewrittenLora(file: string, change: (name: string, index: number, value: number) => number): Promise<string> {
  const source = readSafetensors(new Uint8Array(readFileSync(LORA)), LORA)
  const tensors: TensorToWrite[] = []
  for (const [name, info] of source.tensors) {
    const { data } = await source.readFloats(name)
    tensors.push({ name, dtype: 'F32', shape: [...info.shape], data: float32Bytes(data.map((v, i) => change(name, i, v))) })
  }
  const path = join(dir, file)
  writeFileSync(path, encodeSafetensors(tensors))
  return path
}

describe('LoRA and checkpoint files that could only do harm (issue 14 §9)', () => {
  it('refuses a LoRA with a NaN factor on load, naming the node, file and tensor', async () => {
    const first = [...readSafetensors(new Uint8Array(readFileSync(LORA)), LORA).tensors.keys()][0]!
    const path = await rewrittenLora('nan.safetensors', (name, i, v) => (name === first && i === 3 ? Number.NaN : v))
    // The LoRA is read where the UNet session is prepared: in the sampler node.
    await expect(runner.run(GRAPH, [`9.lora=${path}`])).rejects.toThrow(
      `node 4 (TSCDSampler): ${path}: tensor "${first}" holds NaN at element 3; a LoRA with non-finite factors would ruin the image, so it is refused`,
    )
  })

  it('fails the sampler at the step whose latents turn non-finite (finite factors that overflow)', async () => {
    const path = await rewrittenLora('huge.safetensors', (_name, _i, v) => (v === 0 ? 1e25 : v * 1e25))
    await expect(runner.run(GRAPH, [`9.lora=${path}`])).rejects.toThrow(/step 1 of 4 \(timestep \d+\) produced (NaN|-?Infinity) in the latents/)
  })

  it('refuses a LoRA with no tensors: nothing would be patched', async () => {
    const path = join(dir, 'empty.safetensors')
    writeFileSync(path, encodeSafetensors([]))
    await expect(runner.run(GRAPH, [`9.lora=${path}`])).rejects.toThrow(`${path}: the LoRA holds no tensors, so nothing would be patched`)
  })

  it.each([
    ['torch-zip.ckpt', 'a PyTorch zip checkpoint (torch.save)'],
    ['torch-legacy.ckpt', 'a PyTorch pickle checkpoint (legacy torch.save)'],
  ])('names %s renamed .safetensors for what it is, and how to convert it', async (fixture, what) => {
    // Written by torch.save (python3-torch), with and without _use_new_zipfile_serialization.
    const path = join(dir, fixture.replace('.ckpt', '.safetensors'))
    writeFileSync(path, readFileSync(join(import.meta.dirname, 'fixtures', fixture)))
    const error = await runner.run(GRAPH, [`9.lora=${path}`]).then(() => undefined, (e: unknown) => e as Error)
    expect(error?.message).toContain(`${path}: this is not a safetensors file but ${what}; convert it on a trusted machine:`)
    expect(error?.message).toContain('save_file(')
    expect(error?.message).not.toMatch(/header length/)
  })

  it('a valid LoRA still runs', async () => {
    const image = await runner.run(GRAPH)
    expect(image.pngs).toHaveLength(1)
  })
})
