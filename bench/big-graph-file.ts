// The big graph file of issue 14 §2, shared by `npm run bench:big-graph` and tests/browser/big-graph.test.ts.

/**
 * A chain of `nodeCount` nodes: one Load Pipeline, then UNet + LoRA nodes each fed the previous one's UNET and CLIP
 * (two links per node, the shape of a long LoRA stack), laid out on a grid of 20 columns. About 1 MB at 5,000 nodes.
 */
export function chainGraph(nodeCount: number): string {
  const nodes: object[] = [{ id: '1', type: 'LoadPipeline', version: 1, inputs: { model: 'tiny-sd15' } }]
  const layout: Record<string, { pos: [number, number] }> = { '1': { pos: [0, 0] } }
  for (let i = 2; i <= nodeCount; i++) {
    const previous = String(i - 1)
    nodes.push({
      id: String(i),
      type: 'UNetLoRA',
      version: 1,
      inputs: { unet: { from: [previous, 'unet'] }, clip: { from: [previous, 'clip'] }, lora: `loras/style-${i % 50}.safetensors`, scale: 0.05 * (i % 20), mode: 'live' },
    })
    layout[String(i)] = { pos: [((i - 1) % 20) * 360, Math.floor((i - 1) / 20) * 260] }
  }
  return JSON.stringify({ format: 'hyper-sd-studio/graph', version: 1, nodes, layout: { nodes: layout }, metadata: { name: `${nodeCount}-node chain` } })
}
