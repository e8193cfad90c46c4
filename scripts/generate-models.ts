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

const modelsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'models')

await generateTinySd15(join(modelsRoot, 'tiny-sd15'))
await writeLoraFixtures(modelsRoot)
await generateTinyClipVision(join(modelsRoot, 'tiny-clip-vision'))
await generateTinySdxl(join(modelsRoot, 'tiny-sdxl'))
await writeSdxlLoraFixture(modelsRoot, SDXL_UNET.attentionLevels)
console.log(`wrote ${join(modelsRoot, 'tiny-sd15')}`)
