// Multiline text inputs (prompts, notes) are edited in real DOM textareas laid over their node's body, the way
// ComfyUI does it: litegraph's own text widget is a one-line row that opens a prompt dialog. The widget keeps the
// value (serialisation, undo, runs); this layer only places one textarea per widget after each canvas frame.
import type { LGraph, LGraphCanvas, LGraphNode } from '@comfyorg/litegraph'

type NodeWidget = NonNullable<LGraphNode['widgets']>[number]

/** Graph units between the node edge and the textarea. */
const MARGIN = 10
/** Smallest body height given to a multiline widget. */
export const TEXT_AREA_MIN_HEIGHT = 60
/** Edits are recorded (undo step, autosave, auto-run) once typing pauses, and at the latest on blur. */
const COMMIT_DELAY_MS = 500

/** Makes a litegraph text widget a textarea slot: not drawn on the canvas, it takes the node's free body height. */
export function reserveTextArea(widget: NodeWidget): void {
  widget.hidden = true
  widget.computeLayoutSize = () => ({ minHeight: TEXT_AREA_MIN_HEIGHT, minWidth: 0 })
}

export function isTextAreaWidget(widget: NodeWidget): boolean {
  return widget.hidden === true && widget.options?.multiline === true
}

type Box = [x: number, y: number, width: number, height: number]

/**
 * A clip-path that cuts the parts of a textarea (`box`, graph units) covered by nodes drawn above its own, or ''
 * when none is: the textarea is a DOM element over the whole canvas, so it would otherwise show through them.
 */
function clipOut(box: Box, above: readonly LGraphNode[]): string {
  const holes: string[] = []
  for (const node of above) {
    const [nx = 0, ny = 0, nw = 0, nh = 0] = node.boundingRect
    const left = Math.max(box[0], nx)
    const top = Math.max(box[1], ny)
    const right = Math.min(box[0] + box[2], nx + nw)
    const bottom = Math.min(box[1] + box[3], ny + nh)
    if (right <= left || bottom <= top) continue
    holes.push(`M${left - box[0]} ${top - box[1]}H${right - box[0]}V${bottom - box[1]}H${left - box[0]}Z`)
  }
  return holes.length === 0 ? '' : `path(evenodd, "M0 0H${box[2]}V${box[3]}H0Z${holes.join('')}")`
}

interface Entry {
  readonly node: LGraphNode
  readonly widget: NodeWidget
  readonly area: HTMLTextAreaElement
  timer: number
}

export class TextAreaLayer {
  private readonly root = document.createElement('div')
  private readonly entries = new Map<NodeWidget, Entry>()

  constructor(
    parent: HTMLElement,
    private readonly canvas: LGraphCanvas,
    private readonly graph: LGraph,
    /** A widget's value was edited through its textarea. */
    private readonly edited: (node: LGraphNode, name: string) => void,
  ) {
    this.root.className = 'node-text-layer'
    parent.appendChild(this.root)
  }

  /** Places, shows or hides every textarea to match the frame just drawn. */
  sync(): void {
    const seen = new Set<NodeWidget>()
    const { scale } = this.canvas.ds
    const readable = !this.canvas.low_quality
    const drawn = this.canvas.visible_nodes
    drawn.forEach((node, index) => {
      if (node.flags.collapsed || !readable) return
      for (const widget of node.widgets ?? []) {
        // A widget turned into an input socket is fed by a link: it has no textarea.
        if (!isTextAreaWidget(widget) || node.inputs.some((i) => i.name === widget.name)) continue
        seen.add(widget)
        const entry = this.entries.get(widget) ?? this.create(node, widget)
        const rect: Box = [node.pos[0] + MARGIN, node.pos[1] + widget.y, Math.max(20, node.size[0] - 2 * MARGIN), Math.max(16, (widget.computedHeight ?? TEXT_AREA_MIN_HEIGHT) - 6)]
        const [x, y] = this.canvas.ds.convertOffsetToCanvas([rect[0], rect[1]])
        const style = entry.area.style
        style.display = ''
        style.transform = `translate(${x}px, ${y}px) scale(${scale})`
        style.width = `${rect[2]}px`
        style.height = `${rect[3]}px`
        style.clipPath = clipOut(rect, drawn.slice(index + 1))
        const value = String(widget.value ?? '')
        if (document.activeElement !== entry.area && entry.area.value !== value) entry.area.value = value
      }
    })
    for (const entry of this.entries.values()) {
      if (seen.has(entry.widget)) continue
      if (this.graph.getNodeById(entry.node.id) !== entry.node || !entry.node.widgets?.includes(entry.widget)) this.remove(entry)
      else entry.area.style.display = 'none'
    }
  }

  dispose(): void {
    for (const entry of this.entries.values()) this.remove(entry)
    this.root.remove()
  }

  private create(node: LGraphNode, widget: NodeWidget): Entry {
    const area = document.createElement('textarea')
    area.className = 'node-textarea'
    area.spellcheck = false
    area.placeholder = widget.name
    area.dataset['nodeId'] = String(node.id)
    area.dataset['input'] = widget.name
    area.value = String(widget.value ?? '')
    const entry: Entry = { node, widget, area, timer: 0 }
    area.addEventListener('input', () => {
      widget.value = area.value
      window.clearTimeout(entry.timer)
      entry.timer = window.setTimeout(() => this.commit(entry), COMMIT_DELAY_MS)
    })
    area.addEventListener('blur', () => this.commit(entry))
    // Wheel over a textarea that has nothing to scroll zooms the canvas, as everywhere else on it.
    area.addEventListener('wheel', (event) => {
      if (area.scrollHeight > area.clientHeight) return
      event.preventDefault()
      this.canvas.canvas.dispatchEvent(new WheelEvent('wheel', event))
    })
    // A click in the text selects its node, so the inspector and Delete follow what is being edited.
    area.addEventListener('pointerdown', () => {
      if (!this.canvas.selectedItems.has(node)) this.canvas.selectNode(node)
    })
    this.root.appendChild(area)
    this.entries.set(widget, entry)
    return entry
  }

  private commit(entry: Entry): void {
    if (!entry.timer) return
    window.clearTimeout(entry.timer)
    entry.timer = 0
    this.edited(entry.node, entry.widget.name)
  }

  private remove(entry: Entry): void {
    window.clearTimeout(entry.timer)
    entry.area.remove()
    this.entries.delete(entry.widget)
  }
}
