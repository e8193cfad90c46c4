// Issue 14 §9: a node declaring a newer version (99). The CLI warned and kept it; the editor saved it as version 1.
// The shared policy (src/graph/node-versions.ts): keep the saved version and say so, on every load path.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodeDefinitions } from '../../nodes/index.js'
import { NodeRegistry } from '../../src/engine/index.js'
import { migrateGraph } from '../../src/graph/migrate.js'
import { newerNodes, versionToSave } from '../../src/graph/node-versions.js'
import { parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import { ROOT, runCli } from '../cli/run-cli.js'

const registry = new NodeRegistry(nodeDefinitions)
const text = readFileSync(join(ROOT, 'graphs', 'tiny-sd15-1step.json'), 'utf8')
const file = parseGraphFile(text)
const decode = file.nodes.find((n) => n.type === 'VAEDecode')!
const newer = { ...file, nodes: file.nodes.map((n) => (n === decode ? { ...n, version: 99 } : n)) }

describe('nodes saved by a newer build (issue 14 §9)', () => {
  it('finds them, and keeps their version for saving', () => {
    expect(newerNodes(newer.nodes, registry)).toEqual([{ id: decode.id, type: 'VAEDecode', saved: 99, declared: 1 }])
    expect(newerNodes(file.nodes, registry)).toEqual([])
    expect(versionToSave(99, 1)).toBe(99)
    expect(versionToSave(1, 1)).toBe(1)
    expect(versionToSave(undefined, 2)).toBe(2)
    expect(versionToSave(1, 2)).toBe(2) // older: migrated on load, saved as this build's
  })

  it('the graph load path keeps version 99 through migration and a save, with a warning', () => {
    const migrated = migrateGraph(newer, registry)
    expect(migrated.warnings).toEqual([`node ${decode.id} (VAEDecode): saved with version 99, this build has version 1`])
    const saved = parseGraphFile(serializeGraphFile(migrated.graph))
    expect(saved.nodes.find((n) => n.id === decode.id)?.version).toBe(99)
  })

  it('hypersd validate warns and keeps going', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-newer-'))
    writeFileSync(join(dir, 'newer.json'), serializeGraphFile(newer))
    const result = runCli(['validate', join(dir, 'newer.json')])
    expect(result.stdout).toContain(`warning: node ${decode.id} (VAEDecode): saved with version 99, this build has version 1`)
    expect(result.code).toBe(0)
  })
})
