// An in-process host for node tests: the CLI's services on the bundled models, images collected in memory.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { nodeDefinitions } from '../../nodes/index.js'
import type { ImageOutput } from '../../nodes/services.js'
import { createCliHost } from '../../src/cli/host.js'
import { createModelResolver } from '../../src/cli/model-resolver.js'
import { Engine, NodeRegistry, type ExecGraph } from '../../src/engine/index.js'
import { applyOverrides, toExecGraph } from '../../src/graph/exec.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'

export const ROOT = join(import.meta.dirname, '..', '..')
export const registry = new NodeRegistry(nodeDefinitions)

export function shippedGraph(name: string): GraphFile {
  return parseGraphFile(readFileSync(join(ROOT, 'graphs', name), 'utf8'), name)
}

export function withOverrides(graph: GraphFile, overrides: readonly string[]): ExecGraph {
  return toExecGraph(applyOverrides(graph, overrides, registry))
}

export function createTestHost(modelOverrides: ReadonlyMap<string, string> = new Map()) {
  const images: ImageOutput[] = []
  const host = createCliHost({
    resolver: createModelResolver(join(ROOT, 'public', 'models'), modelOverrides),
    onImages: (output) => {
      images.push(output)
      return output.pngs.map((_, i) => ({ name: `${output.nodeId}-${i}` }))
    },
  })
  const engine = new Engine({ registry, services: host.services, onRelease: (keys) => void host.sessions.release(keys) })
  return { engine, images, sessions: host.sessions, dispose: () => host.dispose() }
}
