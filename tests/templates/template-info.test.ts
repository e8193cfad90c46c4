// What the Templates browser shows about a graph comes from the graph: name, description (metadata, else its
// note), the pipeline it loads and the settings its sampler, latent and LoRA nodes hold.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NodeRegistry } from '../../src/engine/index.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import { describeTemplate, groupTemplates, type TemplateInfo } from '../../src/ui/templates/template-info.js'
import { nodeDefinitions } from '../../nodes/index.js'

const registry = new NodeRegistry(nodeDefinitions)
const lookup = (type: string) => registry.get(type)
const describeFile = (file: string): TemplateInfo =>
  describeTemplate(file, parseGraphFile(readFileSync(join(import.meta.dirname, '../../graphs', file), 'utf8'), file), lookup)

describe('template info', () => {
  it('reads the recommended settings from the graph’s own nodes', () => {
    const info = describeFile('shapes-unified-tcd.json')
    expect(info.name).toBe('Hyper-Shapes unified LoRA, 4 steps (TCD)')
    expect(info.model).toBe('hyper-shapes')
    expect(info.settings).toEqual({ steps: 4, scheduler: 'tcd', eta: 0.5, cfg: 1, loraScales: [1], width: 64, height: 64 })
    expect(info.models.map((m) => m.name)).toEqual(['hyper-shapes', 'loras/hyper-shapes-unified.safetensors'])
  })

  it('reads a second pass over the upscaled latent (the hires fix): its factor and denoise', () => {
    const info = describeFile('hyper-sd15-4step-hires-fix.json')
    expect(info.settings).toEqual({ steps: 4, scheduler: 'ddim-trailing', eta: 0, cfg: 1, loraScales: [1], width: 512, height: 512, secondPass: { scaleBy: 1.5, denoise: 0.5 } })
    expect(describeFile('hyper-sd15-4step.json').settings.secondPass).toBeUndefined()
  })

  it('counts models left to their default (the aesthetic scorer’s) and graphs without a LoRA', () => {
    const info = describeFile('tiny-sd15-4step-reward.json')
    expect(info.settings.loraScales).toEqual([])
    expect(info.models.map((m) => m.kind)).toEqual(expect.arrayContaining(['pipeline', 'clip-vision', 'aesthetic-head']))
  })

  it('falls back to the note for the description, without repeating the name', () => {
    const graph = parseGraphFile(readFileSync(join(import.meta.dirname, '../../graphs/shapes-4step.json'), 'utf8'))
    const bare = { ...graph, metadata: { name: graph.metadata!.name! } }
    expect(describeTemplate('x.json', bare, lookup).description).toBe(graph.metadata!.description)
  })

  it('groups by pipeline, then by step count in ascending order', () => {
    const infos = ['shapes-8step.json', 'tiny-sd15-4step.json', 'shapes-1step.json', 'shapes-unified-tcd.json', 'shapes-4step.json'].map(describeFile)
    const groups = groupTemplates(infos)
    expect(groups.map((g) => g.model)).toEqual(['hyper-shapes', 'tiny-sd15'])
    expect(groups[0]!.steps.map((s) => [s.steps, s.templates.map((t) => t.file)])).toEqual([
      [1, ['shapes-1step.json']],
      [4, ['shapes-4step.json', 'shapes-unified-tcd.json']],
      [8, ['shapes-8step.json']],
    ])
  })
})
