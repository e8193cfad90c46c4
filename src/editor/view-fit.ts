// The canvas side of a readable Fit and of placing new nodes in view: reads the canvas size, the selection and the
// output nodes from litegraph, and leaves the geometry to readable-fit.ts.
import { LGraphNode, LiteGraph, type LGraph, type LGraphCanvas } from '@comfyorg/litegraph'
import { isSpecNode } from './node-types.js'
import { freeSpot } from './free-spot.js'
import { boundsClearOfCorner, placeInside, readableFitBounds, unionOf, type Rect } from './readable-fit.js'
import { readableMinScale } from './theme.js'

/** Graph units kept between a new node and the nodes around it. */
const NODE_GAP = 16

/** Share of the canvas the fitted bounds fill. */
export const FIT_MARGIN = 0.95

/** A node's rectangle in graph units, title bar included. */
export function nodeRect(node: LGraphNode): Rect {
  const titleH = LiteGraph.NODE_TITLE_HEIGHT
  return [node.pos[0], node.pos[1] - titleH, node.size[0], node.size[1] + titleH]
}

/** The canvas size in CSS pixels, as litegraph's fit reads it. */
function cssSize(canvas: LGraphCanvas): [number, number] {
  const ratio = window.devicePixelRatio || 1
  return [canvas.canvas.width / ratio, canvas.canvas.height / ratio]
}

/**
 * What Fit keeps in view when the graph is too big to show whole at a readable zoom: the selected output nodes,
 * else the selection, else the graph's output nodes (Save, Preview: where the result appears).
 */
function focusNodes(canvas: LGraphCanvas, graph: LGraph): LGraphNode[] {
  const selected = [...canvas.selectedItems].filter((i): i is LGraphNode => i instanceof LGraphNode)
  const isOutput = (n: LGraphNode): boolean => isSpecNode(n) && n.definition.isOutput === true
  const pool = selected.length > 0 ? selected : graph._nodes
  const outputs = pool.filter(isOutput)
  return outputs.length > 0 ? outputs : selected
}

/** Of the focus, the nodes a graph ends in (no outputs: Save and Preview Image, where the picture is), else all of it. */
function endsOf(focus: readonly LGraphNode[]): LGraphNode[] {
  const ends = focus.filter((n) => (n.outputs ?? []).length === 0)
  return ends.length > 0 ? ends : [...focus]
}

/**
 * The bounds Fit hands litegraph for `content`. Never below a zoom where node text is readable: a graph too big to
 * show whole is framed around its focus. Then moved so that an overlay in the canvas's bottom-right `corner` (the
 * minimap) covers none of the content where the view has room, or, when the graph is too big to show whole, none
 * of the nodes it ends in (where the picture appears).
 */
export function fitTarget(canvas: LGraphCanvas, graph: LGraph, content: Rect, corner: { width: number; height: number } | null): Rect {
  const [viewWidth, viewHeight] = cssSize(canvas)
  if (viewWidth < 1 || viewHeight < 1) return content
  const focus = focusNodes(canvas, graph)
  const bounds = readableFitBounds(content, unionOf(focus.map(nodeRect)), { viewWidth, viewHeight, margin: FIT_MARGIN, minScale: readableMinScale() })
  const subject = bounds === content ? content : unionOf(endsOf(focus).map(nodeRect))
  if (!corner || !subject) return bounds
  return boundsClearOfCorner(bounds, subject, corner, { viewWidth, viewHeight, margin: FIT_MARGIN, maxScale: canvas.ds.max_scale })
}

/** The graph rectangle the canvas shows now. */
export function visibleRect(canvas: LGraphCanvas): Rect {
  const [width, height] = cssSize(canvas)
  const topLeft = canvas.ds.convertCanvasToOffset([0, 0])
  const bottomRight = canvas.ds.convertCanvasToOffset([width, height])
  const left = topLeft[0] ?? 0
  const top = topLeft[1] ?? 0
  return [left, top, (bottomRight[0] ?? 0) - left, (bottomRight[1] ?? 0) - top]
}

/** How far, in graph units, the node must move on screen to lie inside the visible canvas, 12 CSS px from its edges. */
function shiftIntoView(canvas: LGraphCanvas, node: LGraphNode): [number, number] {
  const view = visibleRect(canvas)
  if (view[2] <= 0 || view[3] <= 0) return [0, 0]
  const rect = nodeRect(node)
  const [x, y] = placeInside([rect[0], rect[1]], [rect[2], rect[3]], view, 12 / canvas.ds.scale)
  return [x - rect[0], y - rect[1]]
}

/** Moves a newly placed node back inside the visible canvas when it sticks out past an edge (e.g. under the side panel). */
export function keepNodeInView(canvas: LGraphCanvas, node: LGraphNode): void {
  const [dx, dy] = shiftIntoView(canvas, node)
  node.pos = [node.pos[0] + dx, node.pos[1] + dy]
}

/** Moves a new node (not yet in the graph) off the nodes it would cover, down or up, staying in view where it can. */
export function moveClearOfNodes(canvas: LGraphCanvas, graph: LGraph, node: LGraphNode): void {
  const rect = nodeRect(node)
  const [x, y] = freeSpot(rect, graph._nodes.filter((n) => n !== node).map(nodeRect), visibleRect(canvas), NODE_GAP)
  node.pos = [x, y + LiteGraph.NODE_TITLE_HEIGHT]
}

/** Pans the view, never zooming, the least that shows the whole node (its top-left when it is bigger than the view). */
export function panToShow(canvas: LGraphCanvas, node: LGraphNode): void {
  const [dx, dy] = shiftIntoView(canvas, node)
  canvas.ds.offset = [canvas.ds.offset[0] + dx, canvas.ds.offset[1] + dy]
}
