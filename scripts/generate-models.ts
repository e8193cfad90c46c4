// `npm run models`: writes the tiny SD1.5 pipeline to public/models/tiny-sd15/ and the LoRA fixtures next to it.
// The output is committed (see README): regenerating reproduces it byte for byte.

import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateTinyClipVision } from './models/clip-vision.js'
import { writeLoraFixtures } from './models/lora-fixtures.js'
import { generateTinySd15 } from './models/tiny-sd15.js'

const modelsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'models')

await generateTinySd15(join(modelsRoot, 'tiny-sd15'))
await writeLoraFixtures(modelsRoot)
await generateTinyClipVision(join(modelsRoot, 'tiny-clip-vision'))
console.log(`wrote ${join(modelsRoot, 'tiny-sd15')}`)
