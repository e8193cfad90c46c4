// Runs shipped graphs in-process through the engine, the nodes and the CLI's host (onnxruntime-node, local files).
import { join } from 'node:path'
import { Engine, NodeRegistry } from '../../src/engine/index.js'
import { loadGraph } from '../../src/cli/graph-loading.js'
import { createCliHost } from '../../src/cli/host.js'
import type { CliHost } from '../../src/cli/host.js'
import { createModelResolver } from '../../src/cli/model-resolver.js'
import { nodeDefinitions } from '../../nodes/index.js'
import type { ImageOutput } from '../../nodes/services.js'

export const GRAPHS = join(import.meta.dirname, '..', '..', 'graphs')

export class GraphRunner {
  readonly registry = new NodeRegistry(nodeDefinitions)
  readonly images: ImageOutput[] = []
  readonly warnings: string[] = []
  readonly host: CliHost
  readonly engine: Engine

  constructor() {
    const resolver = createModelResolver(join(import.meta.dirname, '..', '..', 'public', 'models'), new Map())
    this.host = createCliHost({ resolver, onImages: (output) => (this.images.push(output), [{ name: `image-${this.images.length}` }]) })
    this.engine = new Engine({ registry: this.registry, services: this.host.services })
  }

  /** Runs `graphs/<file>` with `--set`-style overrides; returns the RGBA of the first saved or previewed image. */
  async run(file: string, overrides: readonly string[] = []): Promise<ImageOutput> {
    const graph = await loadGraph(join(GRAPHS, file), this.registry, overrides)
    const before = this.images.length
    await this.engine.run(graph.exec, {
      onEvent: (e) => {
        if (e.type === 'node-warning') this.warnings.push(e.message)
      },
    })
    const out = this.images[before]
    if (!out) throw new Error(`${file} produced no image`)
    return out
  }

  dispose(): Promise<void> {
    return this.host.dispose()
  }
}
