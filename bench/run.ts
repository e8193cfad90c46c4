// `npm run bench`: every benchmark, each printing ratios measured side by side in this one process.
import { benchEngine } from './engine.js'
import { benchLora } from './lora.js'
import { benchSampling } from './sampling.js'

const suites: [string, () => Promise<string[]>][] = [
  ['engine', () => benchEngine()],
  ['sampling', () => benchSampling()],
  ['lora', () => benchLora()],
]

for (const [name, run] of suites) {
  console.log(`== ${name}`)
  for (const line of await run()) console.log(line)
}
