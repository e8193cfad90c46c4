// `npm run bench:sweep`: a 4x4 sweep (steps 1-4 x live LoRA scale 0.25-1) of the tiny SD1.5 + LoRA graph as one
// `hypersd sweep` process, against the same 16 images as 16 separate `hypersd run` processes (each loading its
// sessions and encoding the prompt again). Wall-clock times of whole processes, as a user would see them.
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fmt } from './stats.js'

const root = join(import.meta.dirname, '..')
const graph = join(root, 'graphs', 'tiny-sd15-lora-4step.json')
const STEPS = [1, 2, 3, 4]
const SCALES = [0.25, 0.5, 0.75, 1]

function cli(args: readonly string[]): number {
  const started = performance.now()
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`hypersd ${args.join(' ')} failed:\n${result.stderr}`)
  return performance.now() - started
}

export function benchSweep(): string[] {
  const out = mkdtempSync(join(tmpdir(), 'bench-sweep-'))
  const sweep = cli(['sweep', graph, '--vary', `4.steps=${STEPS.join(',')}`, '--vary', `Hyper-SD LoRA.scale=${SCALES.join(',')}`, '--out', join(out, 'sweep'), '--quiet'])
  let separate = 0
  for (const scale of SCALES) {
    for (const steps of STEPS) separate += cli(['run', graph, '--set', `4.steps=${steps}`, '--set', `Hyper-SD LoRA.scale=${scale}`, '--out', join(out, 'runs'), '--quiet'])
  }
  return [
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), shared; tiny-sd15 + live LoRA at 256x256`,
    `4x4 sweep, one process:      ${fmt(sweep)}`,
    `16 separate hypersd run:     ${fmt(separate)}`,
    `sweep / separate:            ${(sweep / separate).toFixed(3)}`,
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of benchSweep()) console.log(line)
