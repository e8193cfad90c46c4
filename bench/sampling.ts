// Scheduler step cost on an SDXL-sized latent (1x4x128x128 = 65536 floats) against plain copies of the same
// arrays: each step is timed next to `dst.set(src)` of every array the step reads (so the baseline moves at
// least as many bytes as the step), interleaved, medians over many iterations, printed as ratios. Each step
// runs twice: returning a fresh array (the contract's default) and writing into a preallocated `out`.
// Run alone with `npx tsx bench/sampling.ts`; bench/run.ts can import benchSampling().
import { pathToFileURL } from 'node:url'
import { createScheduler, randn, SD_BASE_SCHEDULER_CONFIG } from '../src/sampling/index.js'
import type { SamplingScheduler, StepOptions } from '../src/sampling/index.js'

const LATENT = 4 * 128 * 128
const WARMUP = 200
const ITERATIONS = 300

interface Case {
  label: string
  scheduler: SamplingScheduler
  steps: number
  stepOptions: StepOptions
  /** Arrays the step reads; the baseline copies each once. */
  reads: Float32Array[]
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function makeCases(sample: Float32Array, modelOutput: Float32Array, noise: Float32Array): Case[] {
  const base = SD_BASE_SCHEDULER_CONFIG as Record<string, unknown>
  const make = (name: 'ddim' | 'tcd' | 'euler', config: Record<string, unknown>) => createScheduler(name, { ...base, ...config })
  return [
    { label: 'DDIM trailing, eta 0', scheduler: make('ddim', { timestep_spacing: 'trailing' }), steps: 4, stepOptions: {}, reads: [sample, modelOutput] },
    {
      label: 'DDIM trailing, eta 0.5 + noise',
      scheduler: make('ddim', { timestep_spacing: 'trailing' }),
      steps: 4,
      stepOptions: { eta: 0.5, noise },
      reads: [sample, modelOutput, noise],
    },
    { label: 'TCD, eta 0.5 + noise', scheduler: make('tcd', {}), steps: 4, stepOptions: { eta: 0.5, noise }, reads: [sample, modelOutput, noise] },
    { label: 'Euler trailing', scheduler: make('euler', { timestep_spacing: 'trailing' }), steps: 4, stepOptions: {}, reads: [sample, modelOutput] },
  ]
}

export async function benchSampling(): Promise<string[]> {
  const sample = randn(1, LATENT)
  const modelOutput = randn(2, LATENT)
  const noise = randn(3, LATENT)
  const lines = [`sampling: one scheduler step on ${LATENT} floats (1x4x128x128) vs copying the arrays it reads`]
  for (const c of makeCases(sample, modelOutput, noise)) {
    c.scheduler.setTimesteps(c.steps)
    const t = c.scheduler.timesteps[0]!
    const copies = c.reads.map((src) => ({ src, dst: new Float32Array(src.length) }))
    const preallocated = new Float32Array(LATENT)
    const stepTimes: number[] = []
    const stepIntoTimes: number[] = []
    const copyTimes: number[] = []
    let sink = 0
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const t0 = performance.now()
      const fresh = c.scheduler.step(modelOutput, t, sample, c.stepOptions)
      const t1 = performance.now()
      for (const { src, dst } of copies) dst.set(src)
      const t2 = performance.now()
      c.scheduler.step(modelOutput, t, sample, { ...c.stepOptions, out: preallocated })
      const t3 = performance.now()
      sink += fresh[i % LATENT]! + preallocated[i % LATENT]! + copies[0]!.dst[i % LATENT]!
      if (i >= WARMUP) {
        stepTimes.push(t1 - t0)
        copyTimes.push(t2 - t1)
        stepIntoTimes.push(t3 - t2)
      }
    }
    const copy = median(copyTimes)
    const us = (ms: number) => `${(ms * 1000).toFixed(0).padStart(4)} us`
    const bytes = (c.reads.length + 1) * LATENT * 4
    const step = median(stepTimes)
    const stepInto = median(stepIntoTimes)
    lines.push(
      `  ${c.label.padEnd(31)} copy x${c.reads.length} ${us(copy)} | fresh ${us(step)} ratio ${(step / copy).toFixed(1)}` +
        ` | into out ${us(stepInto)} ratio ${(stepInto / copy).toFixed(1)} (${(bytes / (stepInto / 1000) / 1e9).toFixed(1)} GB/s)` +
        (Number.isFinite(sink) ? '' : ' (non-finite output!)'),
    )
  }
  return lines
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchSampling()) console.log(line)
}
