// The `--full` mode of `npm run models`: one full-size pipeline and its Hyper-SD LoRA twins.

import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LORA_TWINS, writeLoraTwin } from './lora-twins.js'
import { generateFullPipeline, type FullModelName } from './pipelines.js'
import type { WeightDType } from './stream-store.js'

export async function generateFullTwins(name: FullModelName, dtype: WeightDType, root: string): Promise<void> {
  const folder = join(root, `full-${name}${dtype === 'float32' ? '-fp32' : ''}`)
  console.log(`writing ${folder} (${dtype}, random weights, real dimensions)`)
  const started = Date.now()
  await generateFullPipeline(name, folder, dtype)
  const loras = join(root, 'loras')
  await mkdir(loras, { recursive: true })
  LORA_TWINS.filter((t) => t.base === name).forEach((twin, i) => {
    const bytes = writeLoraTwin(twin, join(loras, twin.file), 700 + i)
    console.log(`  loras/${twin.file}: ${(bytes / 1e6).toFixed(1)} MB`)
  })
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
