// The CLI honours node modes from the graph file: `validate` plans around bypassed and muted nodes as a run does.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, runCli } from './run-cli.js'

const graph = JSON.parse(readFileSync(join(ROOT, 'graphs', 'tiny-sd15-lora-4step.json'), 'utf8')) as { nodes: { id: string; mode?: string }[] }

function withModes(modes: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hypersd-modes-'))
  const file = join(dir, 'graph.json')
  writeFileSync(file, JSON.stringify({ ...graph, nodes: graph.nodes.map((n) => (modes[n.id] ? { ...n, mode: modes[n.id] } : n)) }))
  return file
}

describe('hypersd validate with node modes', () => {
  it('a bypassed LoRA is valid; a muted Save Image leaves nothing to output; a muted loader names who needs it', () => {
    expect(runCli(['validate', withModes({ '9': 'bypass' })]).code).toBe(0)
    const muted = runCli(['validate', withModes({ '6': 'mute' })])
    expect(muted.code).toBe(1)
    expect(muted.stdout).toContain('nothing to output: every output node is muted or bypassed')
    const loader = runCli(['validate', withModes({ '9': 'mute' })])
    expect(loader.code).toBe(1)
    expect(loader.stdout).toContain('node 4 (TSCDSampler), input "model": takes output "unet" of node 9 (UNetLoRA), which is muted')
  })
})
