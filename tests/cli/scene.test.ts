// `hypersd run` on the shapes graphs, with the tiny random model standing in for the trained hyper-shapes one:
// the Scene Score's per-attribute report is printed and its scores are written into the PNG.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readPngTextChunks } from '../../src/graph/png.js'
import { ROOT, runCli } from './run-cli.js'

const TINY = ['--model', `hyper-shapes=${join(ROOT, 'public', 'models', 'tiny-sd15')}`]
const TINY_LORA = (name: string) => ['--model', `loras/${name}=${join(ROOT, 'public', 'models', 'loras', 'tiny-hyper-sd15-4step-kohya.safetensors')}`]

describe('hypersd run with a Scene Score', () => {
  it('prints the score and the per-attribute report, and embeds the scores in the PNG', () => {
    const out = mkdtempSync(join(tmpdir(), 'hypersd-scene-'))
    const result = runCli(['run', join(ROOT, 'graphs', 'shapes-4step.json'), ...TINY, ...TINY_LORA('hyper-shapes-4step-refl.safetensors'), '--out', out])
    expect(result.code).toBe(0)
    const lines = result.stderr.split('\n')
    const at = lines.findIndex((l) => l.startsWith('Scene Score (#8): score = '))
    expect(at).toBeGreaterThanOrEqual(0)
    const score = Number(/score = ([\d.]+)/.exec(lines[at]!)![1])
    expect(score).toBeGreaterThanOrEqual(0)
    expect(score).toBeLessThanOrEqual(1)
    expect(lines[at]).toMatch(/all_right = [01], result =$/)
    // One indented line per attribute of the default caption, in the grammar's order.
    expect(lines.slice(at + 1, at + 6).map((l) => /^ {4}(\w+) [✓✗] /.exec(l)?.[1])).toEqual(['size', 'colour', 'shape', 'position', 'background'])
    expect(readdirSync(out)).toEqual(['shapes-4step_00001.png'])
    const parameters = readPngTextChunks(readFileSync(join(out, 'shapes-4step_00001.png'))).get('parameters') ?? ''
    expect(Number(/scene_score: ([\d.]+)/.exec(parameters)?.[1])).toBeCloseTo(score, 4)
    expect(parameters).toContain('scene_caption: a large green triangle in the top right on a yellow background')
    expect(parameters).toMatch(/scene_shape: [✓✗] /)
  })

  it('scores a caption given with --set, and runs the teacher graph (CFG against an empty negative prompt)', () => {
    const out = mkdtempSync(join(tmpdir(), 'hypersd-scene-'))
    const result = runCli(['run', join(ROOT, 'graphs', 'shapes-teacher.json'), ...TINY, '--set', '4.steps=2', '--set', 'Scene Score.caption=a red circle', '--out', out])
    expect(result.code).toBe(0)
    const at = result.stderr.split('\n').findIndex((l) => l.startsWith('Scene Score (#8): score = '))
    expect(result.stderr.split('\n').slice(at + 1, at + 3).map((l) => /^ {4}(\w+)/.exec(l)?.[1])).toEqual(['colour', 'shape'])
    const parameters = readPngTextChunks(readFileSync(join(out, 'shapes-teacher_00001.png'))).get('parameters') ?? ''
    expect(parameters).toContain('cfg: 2.5')
    expect(parameters).toContain('scene_caption: a red circle')
  })
})
