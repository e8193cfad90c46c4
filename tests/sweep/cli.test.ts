// `hypersd sweep` as a user runs it: a prompt file as one axis, steps as the other, files in --out; then the grid
// PNG given back as the sweep reopens it and every cell comes from --out/cells without running again.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSweepFromPng } from '../../src/sweep/index.js'
import { runCli } from '../cli/run-cli.js'
import { registry, ROOT } from '../helpers/tiny-host.js'

describe('hypersd sweep', () => {
  it('writes grid, CSV, JSON and chart, and resumes from --out when reopened from its grid PNG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-sweep-'))
    const prompts = join(dir, 'prompts.txt')
    writeFileSync(prompts, 'a red circle\na blue square\n')
    const out = join(dir, 'out')
    const first = runCli([
      'sweep', join(ROOT, 'graphs', 'tiny-sd15-4step.json'), '--vary', '4.steps=1:2:1', '--vary', `Prompt.text=@${prompts}`,
      '--set', '3.width=64', '--set', '3.height=64', '--out', out,
    ])
    expect(first.stderr).toContain('4 of 4 cells done: 4 computed, 0 reused')
    expect(first.code).toBe(0)
    expect(first.stderr).toMatch(/sweep \[#+\] 4\/4 cells, done in \d+ s/)
    expect(first.stdout.trim().split('\n')).toEqual(['grid.png', 'sweep.csv', 'sweep.json', 'chart.svg'].map((f) => join(out, f)))
    expect(readdirSync(join(out, 'cells'))).toHaveLength(8)
    const csv = readFileSync(join(out, 'sweep.csv'), 'utf8').trimEnd().split('\r\n')
    expect(csv[0]).toBe('TSCDSampler.steps,Prompt.text,seed,time_ms,cell_key,image')
    expect(csv.slice(1).map((row) => row.split(',').slice(0, 3).join(','))).toEqual(['1,a red circle,42', '2,a red circle,42', '1,a blue square,42', '2,a blue square,42'])
    const grid = readFileSync(join(out, 'grid.png'))
    expect(readSweepFromPng(grid, registry)?.axes.map((a) => a.values)).toEqual([[1, 2], ['a red circle', 'a blue square']])
    expect(readFileSync(join(out, 'chart.svg'), 'utf8')).toMatch(/^<svg/)

    const again = runCli(['sweep', join(out, 'grid.png'), '--out', out])
    expect(again.stderr).toContain('4 of 4 cells done: 0 computed, 4 reused')
    expect(again.code).toBe(0)
    expect(readFileSync(join(out, 'grid.png'))).toEqual(grid)
  })

  it('names the axis, node and input of a bad --vary', () => {
    const out = mkdtempSync(join(tmpdir(), 'hypersd-sweep-'))
    const result = runCli(['sweep', join(ROOT, 'graphs', 'tiny-sd15-4step.json'), '--vary', '4.steps=0,60', '--out', out])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/axis 1 \(TSCDSampler\.steps\): node 4 \(TSCDSampler\), input "steps": value 0: 0 is below the minimum 1/)
  })
})
