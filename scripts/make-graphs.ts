// Writes graphs/*.json from scripts/graph-templates.ts (`npx tsx scripts/make-graphs.ts`).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { GraphFileSchema } from '../src/graph/schema.js'
import { serializeGraphFile } from '../src/graph/parse.js'
import { buildGraph, GRAPH_VARIANTS } from './graph-templates.js'

const dir = join(import.meta.dirname, '..', 'graphs')
for (const variant of GRAPH_VARIANTS) {
  const graph = GraphFileSchema.parse(buildGraph(variant))
  writeFileSync(join(dir, variant.file), serializeGraphFile(graph))
  console.log(`graphs/${variant.file}`)
}
