// `npm run models`: writes the tiny SD1.5 and SDXL pipelines to public/models/tiny-sd15/ and tiny-sdxl/, and the LoRA
// fixtures next to them.
// The output is committed (see README): regenerating reproduces it byte for byte.

import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateTinyClipVision } from './models/clip-vision.js'
import { writeLoraFixtures, writeSdxlLoraFixture } from './models/lora-fixtures.js'
import { generateTinySdxl } from './models/sdxl/tiny-sdxl.js'
import { SDXL_UNET } from './models/sdxl/unet.js'
import { generateTinySd15 } from './models/tiny-sd15.js'
import { generateFullTwins } from './models/full/generate.js'
import { writeBundledManifest } from './models-index.js'

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const modelsRoot = join(projectRoot, 'public', 'models')

// `--full sd15|sdxl [--fp32]`: the full-size twins (git-ignored, in .models/), instead of the tiny models.
const fullIndex = process.argv.indexOf('--full')
if (fullIndex >= 0) {
  const name = process.argv[fullIndex + 1]
  if (name !== 'sd15' && name !== 'sdxl') {
    console.error(`--full needs "sd15" or "sdxl", got ${name === undefined ? 'nothing' : `"${name}"`}`)
    process.exit(2)
  }
  await generateFullTwins(name, process.argv.includes('--fp32') ? 'float32' : 'float16', join(projectRoot, '.models'))
  process.exit(0)
}

await generateTinySd15(join(modelsRoot, 'tiny-sd15'))
await writeLoraFixtures(modelsRoot)
await generateTinyClipVision(join(modelsRoot, 'tiny-clip-vision'))
await generateTinySdxl(join(modelsRoot, 'tiny-sdxl'))
await writeSdxlLoraFixture(modelsRoot, SDXL_UNET.attentionLevels)
console.log(`wrote ${join(modelsRoot, 'tiny-sd15')}`)
// The app's list of bundled models follows what was just written.
console.log(`wrote ${await writeBundledManifest(modelsRoot)}`)
