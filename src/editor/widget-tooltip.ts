// Hover tooltips on the canvas from the node declarations: a widget or slot shows its input's description (and why
// it is disabled, when the node's settings ignore it), a title shows the node's. litegraph draws none for widgets
// or slots, so this is a small DOM layer; its text is set with textContent, never as HTML.
import type { LGraphNode } from '@comfyorg/litegraph'
import type { StudioCanvas } from './canvas.js'
import { isSpecNode, specOfInput, type SpecNode } from './node-types.js'

/** Long enough not to flash while the pointer crosses the graph. */
const HOVER_DELAY_MS = 450

/** The tooltip text for graph point (x, y) on `node`, or undefined where there is nothing to say. */
export function tooltipAt(node: LGraphNode, x: number, y: number): string | undefined {
  if (!isSpecNode(node)) return undefined
  if (y < node.pos[1]) return node.definition.description
  const widget = node.getWidgetOnPos(x, y, true)
  if (widget) return inputTooltip(node, widget.name)
  const slot = node.getSlotOnPos([x, y])
  if (!slot) return undefined
  if (node.inputs.includes(slot as never)) return inputTooltip(node, slot.name)
  const output = Object.hasOwn(node.definition.outputs, slot.name) ? node.definition.outputs[slot.name] : undefined
  return output?.description ? `${slot.name}: ${output.description}` : undefined
}

function inputTooltip(node: SpecNode, name: string): string | undefined {
  const spec = specOfInput(node, name)
  if (!spec) return undefined
  const inactive = node.inactiveReason(name)
  const lines = [spec.description ? `${name}: ${spec.description}` : name]
  if (inactive) lines.push(`Disabled: ${inactive}.`)
  return lines.length > 1 || spec.description ? lines.join('\n') : undefined
}

/** Shows `tooltipAt` after the pointer rests over the canvas; hides on any press, wheel or leave. */
export class CanvasTooltips {
  private readonly element: HTMLDivElement
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly controller = new AbortController()

  constructor(private readonly canvas: StudioCanvas) {
    const element = document.createElement('div')
    element.dataset['testid'] = 'canvas-tooltip'
    element.setAttribute('role', 'tooltip')
    Object.assign(element.style, {
      position: 'fixed',
      zIndex: '50',
      maxWidth: '320px',
      padding: '6px 8px',
      borderRadius: '6px',
      background: '#111',
      border: '1px solid #555',
      color: '#eee',
      font: '12px/1.4 system-ui, sans-serif',
      whiteSpace: 'pre-line',
      pointerEvents: 'none',
      display: 'none',
    })
    document.body.appendChild(element)
    this.element = element
    const target = canvas.canvas
    const signal = this.controller.signal
    target.addEventListener('pointermove', (e) => this.schedule(e), { signal })
    for (const type of ['pointerdown', 'pointerleave', 'wheel']) target.addEventListener(type, () => this.hide(), { signal })
  }

  private schedule(event: PointerEvent): void {
    this.hide()
    // No tooltips during a drag: the pointer is busy moving a value, a node or a link.
    if (event.buttons !== 0) return
    const { clientX, clientY } = event
    this.timer = setTimeout(() => this.show(clientX, clientY), HOVER_DELAY_MS)
  }

  private show(clientX: number, clientY: number): void {
    const point = this.canvas.pointFrom({ clientX, clientY })
    const node = this.canvas.graph?.getNodeOnPos(point.canvasX, point.canvasY)
    const text = node ? tooltipAt(node, point.canvasX, point.canvasY) : undefined
    if (!text) return
    this.element.textContent = text
    this.element.style.left = `${Math.min(clientX + 14, window.innerWidth - 330)}px`
    this.element.style.top = `${clientY + 18}px`
    this.element.style.display = 'block'
  }

  hide(): void {
    clearTimeout(this.timer)
    this.element.style.display = 'none'
  }

  dispose(): void {
    this.hide()
    this.controller.abort()
    this.element.remove()
  }
}
