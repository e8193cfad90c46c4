// The training code (training/, Debian's python3-torch): CI does not train, but it runs training/check.py, which
// checks the tokenizer against CLIP's known ids, the held-out scenes, the renderer, that the training and export
// layouts compute the same function, a real loss decrease over a few iterations at a tiny size, and the whole
// pipeline at a toy size, interrupted and resumed to the same weights.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/tiny-host.js'

interface CheckReport {
  tokens_cat: number[]
  tokens_astronaut: number[]
  held_out_sampled: number
  render_centre: number[]
  render_corner: number[]
  caption: string
  trailing4: number[]
  layout_max_diff: number
  vae_losses: number[]
  whitening_decode_diff: number
  whitening_encode_diff: number
  whitened_eigenvalues: number[]
  whitened_expected: number[]
  teacher_losses: number[]
  text_losses: number[]
  object_weights_corner_covered: number
  object_weights_match: boolean
  straight_rc: number
  interrupted_rc: number
  resumed_rc: number
  interrupted_tail: string[]
  resume_max_diff: number
  pipeline_rc: number
  dmd_checkpoint_fake_up: number
  dmd_interrupted_rc: number
  dmd_resumed_rc: number
  dmd_resumed_tail: string[]
  dmd_resume_max_diff: number
  dmd_resumed_fake: boolean
  dmd_checkpoint_elapsed: number
  dmd_resumed_seconds: number
  pipeline_stages: string[]
  pipeline_tail: string[]
  grid_points: number[]
  grid_off: number
  continuous_points_k1: number
}

let report: CheckReport

beforeAll(() => {
  const out = execFileSync('sh', [join(ROOT, 'training', 'run.sh'), join(ROOT, 'training', 'check.py')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
  })
  report = JSON.parse(out.trim().split('\n').at(-1)!) as CheckReport
}, 600_000)

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length

describe('training/ (python3-torch)', () => {
  it('tokenizes like CLIP (HYPER-SD.md known ids) and captions with the grammar', () => {
    expect(report.tokens_cat).toEqual([49406, 320, 1125, 539, 320, 2368, 49407])
    expect(report.tokens_astronaut).toEqual([49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 49407])
    expect(report.caption).toBe('a large red square in the middle on a blue background')
  })

  it('never samples a held-out scene and renders the palette colours', () => {
    expect(report.held_out_sampled).toBe(0)
    expect(report.render_centre).toEqual([220, 40, 40])
    expect(report.render_corner).toEqual([40, 90, 220])
    expect(report.trailing4).toEqual([999, 749, 499, 249])
  })

  it('TSCD\'s grid setting draws t only on the solver grid (boundary less whole steps Δ); the default anywhere', () => {
    expect(report.grid_points).toEqual([249, 499, 749, 999])
    expect(report.grid_off).toBe(0)
    expect(report.continuous_points_k1).toBeGreaterThan(900)
  })

  it('the training layout (1x1 convs, grouped-conv attention) equals the exported layout (MatMul)', () => {
    expect(report.layout_max_diff).toBeLessThan(1e-4)
  })

  it('weights the VAE loss up on exactly the object\'s pixels, also when the object covers a corner', () => {
    expect(report.object_weights_corner_covered).toBe(1)
    expect(report.object_weights_match).toBe(true)
  })

  it('whitens the latent space exactly: the folded VAE encodes to and decodes from the whitened coordinates', () => {
    expect(report.whitening_decode_diff).toBeLessThan(1e-4)
    expect(report.whitening_encode_diff).toBeLessThan(1e-4)
    // Unit variance in every direction but one under whitening()'s floor (see check.py); at least three are whole.
    expect(report.whitened_expected.filter((e) => e === 1).length).toBeGreaterThanOrEqual(3)
    report.whitened_eigenvalues.forEach((e, i) => expect(e / report.whitened_expected[i]!).toBeCloseTo(1, 3))
  })

  it('a few iterations at a tiny size lower the VAE, text-encoder and teacher losses', () => {
    for (const losses of [report.vae_losses, report.text_losses, report.teacher_losses]) {
      expect(losses).toHaveLength(30)
      expect(mean(losses.slice(-5))).toBeLessThan(0.7 * mean(losses.slice(0, 5)))
    }
  })

  it('an interrupted run resumes from its checkpoint to the same weights as a straight run', () => {
    expect(report.straight_rc).toBe(0)
    expect(report.interrupted_rc, report.interrupted_tail.join('\n')).not.toBe(0)
    expect(report.interrupted_tail.join('\n')).toContain('stopped after step 2')
    expect(report.resumed_rc).toBe(0)
    // The VAE and teacher weights of two processes. Not always bit-exact (oneDNN float rounding, up to about 5e-7
    // seen), but a resume that repeated, skipped or restarted steps would move them by the optimiser's step size
    // (about 1e-3), and an initialisation that did not follow the seed (Debian's torch seeds itself from the OS) by
    // about 0.7.
    expect(report.resume_max_diff).toBeLessThan(1e-5)
  })

  it('the score-distillation stage resumes with its fake score model', () => {
    expect(report.dmd_interrupted_rc).not.toBe(0)
    // The checkpoint holds the fake model's LoRA after one update (its up-projections start at zero).
    expect(report.dmd_checkpoint_fake_up).toBeGreaterThan(0)
    expect(report.dmd_resumed_rc, report.dmd_resumed_tail.join('\n')).toBe(0)
    // Loaded, not rebuilt from the teacher: two steps at the warm-up's learning rate move the student too little for
    // the weight comparison below to tell the two apart.
    expect(report.dmd_resumed_fake).toBe(true)
    expect(report.dmd_resume_max_diff).toBeLessThan(1e-5)
    // Its recorded time includes the interrupted session's, carried in the checkpoint.
    expect(report.dmd_checkpoint_elapsed).toBeGreaterThan(0)
    expect(report.dmd_resumed_seconds).toBeGreaterThanOrEqual(Math.round(report.dmd_checkpoint_elapsed * 10) / 10)
  })

  it('runs every stage of the pipeline at a toy size', () => {
    expect(report.pipeline_rc, report.pipeline_tail.join('\n')).toBe(0)
    expect(report.pipeline_stages).toEqual(
      ['cd-ablation', 'classifier', 'dmd-1', 'latent-space', 'latents', 'refl-4', 'teacher', 'text', 'tscd-1', 'tscd-2', 'tscd-4', 'tscd-8', 'unified', 'vae'].sort(),
    )
  })
})
