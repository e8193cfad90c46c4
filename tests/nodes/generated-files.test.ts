// Files generated from a single source must match it: node docs from the declarations, graphs from the template.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodeDefinitions } from '../../nodes/index.js'
import { buildGraph, GRAPH_VARIANTS } from '../../scripts/graph-templates.js'
import { nodesMarkdown } from '../../src/engine/index.js'
import { serializeGraphFile } from '../../src/graph/parse.js'
import { GraphFileSchema } from '../../src/graph/schema.js'
import { ROOT } from '../helpers/tiny-host.js'

describe('generated files are up to date', () => {
  it('docs/nodes.md matches the node declarations (npm run -s hypersd -- nodes --markdown > docs/nodes.md)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'nodes.md'), 'utf8')).toBe(nodesMarkdown(nodeDefinitions))
  })

  it.each(GRAPH_VARIANTS.map((v) => [v.file, v] as const))('graphs/%s matches scripts/graph-templates.ts (npx tsx scripts/make-graphs.ts)', (file, variant) => {
    const expected = serializeGraphFile(GraphFileSchema.parse(buildGraph(variant)))
    expect(readFileSync(join(ROOT, 'graphs', file), 'utf8')).toBe(expected)
  })
})
