// A node whose type this build does not declare (kept from a ComfyUI import, or named by a graph file from
// elsewhere). It keeps what the file said about it, shows its slots so links to and from it survive, draws as a
// grey dashed box saying which type is missing, and writes itself back unchanged on save.
import { LGraphNode, LiteGraph } from '@comfyorg/litegraph'
import type { PlaceholderSlot } from '../graph/placeholder-schema.js'
import { isGraphLink, type GraphLink, type GraphNode, type InputValue } from '../graph/schema.js'
import { OVERLAY_FONT, OVERLAY_LINE_HEIGHT as LINE_HEIGHT } from './canvas-text.js'
import { drawFlaggedFrame, drawNodeOverlay } from './node-overlay.js'
import { nodeRunView } from './node-types.js'

/** Slot type litegraph sees: any, since what the missing node accepts is unknown here. */
const ANY = '*'
const GREY = '#9ca3af'

export class PlaceholderNode extends LGraphNode {
  // Read by litegraph's renderingColor; class-level, so a save writes no colour the file did not have.
  static color = '#3f3f46'
  static bgcolor = '#27272a'

  /** The node as the file held it; on save its links are read from the canvas instead. */
  readonly saved: GraphNode
  /** Slot names with the types the source gave them (litegraph's slots take any type). */
  readonly slotTypes: { readonly inputs: readonly PlaceholderSlot[]; readonly outputs: readonly PlaceholderSlot[] }
  /** Saved widget values as drawn in the body ("name: value"). */
  readonly valueLines: readonly string[]

  /** `referencedOutputs`: output names other nodes link to, so a graph file without slot data keeps its links. */
  constructor(saved: GraphNode, referencedOutputs: readonly string[] = []) {
    super(saved.title ?? saved.type)
    this.type = saved.type
    this.saved = saved
    const declared = saved.placeholder
    const inputs: PlaceholderSlot[] = [...(declared?.inputs ?? [])]
    for (const [name, value] of Object.entries(saved.inputs)) {
      if (isGraphLink(value) && !inputs.some((s) => s.name === name)) inputs.push({ name, type: ANY })
    }
    const outputs: PlaceholderSlot[] = [...(declared?.outputs ?? [])]
    for (const name of referencedOutputs) if (!outputs.some((s) => s.name === name)) outputs.push({ name, type: ANY })
    for (const slot of inputs) this.addInput(slot.name, ANY)
    for (const slot of outputs) this.addOutput(slot.name, ANY)
    this.slotTypes = { inputs, outputs }
    // Formatted once: the saved values never change, and drawing runs every frame.
    this.valueLines = this.formatValues()
    // A file's layout size replaces this (and is written back as it was); without one, room for the values.
    const size = this.computeSize()
    this.size = [Math.max(size[0], 260), size[1] + (1 + this.valueLines.length) * LINE_HEIGHT]
  }

  get missingType(): string {
    return this.saved.type
  }

  /** The graph-file node: saved type, version, values and placeholder data, with the links now on the canvas. */
  toGraphNode(id: string, links: Readonly<Record<string, GraphLink>>): GraphNode {
    const inputs: Record<string, InputValue> = {}
    for (const [name, value] of Object.entries(this.saved.inputs)) if (!isGraphLink(value)) inputs[name] = value
    Object.assign(inputs, links)
    return {
      id,
      type: this.saved.type,
      version: this.saved.version,
      ...(this.title !== this.saved.type ? { title: this.title } : {}),
      inputs,
      ...(this.saved.placeholder ? { placeholder: this.saved.placeholder } : {}),
    }
  }

  /** Saved widget values, one short line each, so the user sees what the missing node was set to. */
  private formatValues(): string[] {
    const values: [string, unknown][] = Object.entries(this.saved.inputs).filter(([, v]) => !isGraphLink(v))
    const widgets = this.saved.placeholder?.widgets
    if (Array.isArray(widgets)) widgets.forEach((v, i) => values.push([`#${i + 1}`, v]))
    else if (typeof widgets === 'object' && widgets !== null) values.push(...Object.entries(widgets))
    return values.slice(0, 6).map(([name, value]) => `${name}: ${short(value)}`)
  }

  override onDrawForeground(ctx: CanvasRenderingContext2D): void {
    const [w, h] = [this.size[0] ?? 0, this.size[1] ?? 0]
    drawFlaggedFrame(ctx, this, { colour: GREY, margin: 2, labels: [`missing node type: ${this.saved.type}`], labelColour: '#fbbf24', bold: true })
    ctx.save()
    // The saved values, as far as the body has room below the slots.
    const top = Math.max(this.inputs.length, this.outputs.length) * LiteGraph.NODE_SLOT_HEIGHT + 6
    ctx.font = OVERLAY_FONT
    ctx.textAlign = 'left'
    ctx.textBaseline = 'top'
    ctx.fillStyle = GREY
    this.valueLines.forEach((line, i) => {
      const y = top + i * LINE_HEIGHT
      if (y + LINE_HEIGHT <= h) ctx.fillText(line, 10, y, w - 20)
    })
    ctx.restore()
    // A failed run outlines the placeholder like any other node.
    const view = nodeRunView(this)
    if (view) drawNodeOverlay(ctx, this, view)
  }
}

export function isPlaceholderNode(node: LGraphNode | null | undefined): node is PlaceholderNode {
  return node instanceof PlaceholderNode
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}
