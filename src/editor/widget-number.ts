// The number widget of declared int/float/seed inputs. litegraph's own moves one step per pixel of drag (60 px took
// steps from 6 to 50) and stores float noise; this subclass follows the input's NumberRule instead: drags scaled to
// the range and step (Shift: finer), values conformed whenever they are stored, and typed values checked in the
// editor's dialog rather than evaluated.
import { NumberWidget, type CanvasPointer, type LGraphCanvas, type LGraphNode } from '@comfyorg/litegraph'
import type { CanvasPointerEvent } from '@comfyorg/litegraph'
import { conformNumber, dragValue, type NumberRule } from '../engine/value-rules.js'
import type { CanvasPoint, PromptRequest } from './canvas.js'

type INumericWidget = ConstructorParameters<typeof NumberWidget>[0]
type WidgetEventOptions = Parameters<NumberWidget['onClick']>[0]

/** A click in the middle of the widget: the editor opens its prompt dialog, which checks text against `rule`. */
export interface NumberPromptRequest {
  readonly input: string
  readonly rule: NumberRule
  readonly value: number
  readonly event: CanvasPointerEvent
  set(value: number): void
}

export interface StudioNumberOptions {
  readonly rule: NumberRule
  readonly prompt: (request: NumberPromptRequest) => void
}

/** Clicks this close to either end step the value, as in litegraph. */
const ARROW_ZONE_PX = 40

interface DragAnchor {
  value: number
  clientX: number
  fine: boolean
}

export class StudioNumberWidget extends NumberWidget {
  private anchor: DragAnchor | null = null

  // litegraph copies widgets with `new this.constructor(widget, node)`: everything this class needs is in options.
  constructor(widget: INumericWidget, node: LGraphNode) {
    super(widget, node)
  }

  private get studio(): StudioNumberOptions {
    return this.options as unknown as StudioNumberOptions
  }

  get rule(): NumberRule {
    return this.studio.rule
  }

  /** An input the current settings ignore stays readable (dimmed by litegraph), unlike a linked one. */
  override get _displayValue(): string {
    if (this.disabled) return Number(this.value).toFixed(this.rule.precision)
    return super._displayValue
  }

  /** Every stored value is whole, in range, on its multiple and free of float noise. */
  override setValue(value: number, options: WidgetEventOptions): void {
    super.setValue(conformNumber(this.rule, Number(value)).value, options)
  }

  override onPointerDown(pointer: CanvasPointer, _node: LGraphNode, _canvas: LGraphCanvas): boolean {
    const down = pointer.eDown
    this.anchor = down ? { value: Number(this.value), clientX: down.clientX, fine: down.shiftKey } : null
    return false
  }

  override onDrag(options: WidgetEventOptions): void {
    const { e } = options
    const anchor = this.anchor
    if (!anchor) return
    // Pressing or releasing Shift mid-drag continues from the current value at the new rate.
    if (e.shiftKey !== anchor.fine) this.anchor = { value: Number(this.value), clientX: e.clientX, fine: e.shiftKey }
    const from = this.anchor ?? anchor
    const next = dragValue(this.rule, from.value, e.clientX - from.clientX, from.fine)
    if (next !== this.value) this.setValue(next, options)
  }

  override onClick(options: WidgetEventOptions): void {
    const { e, node } = options
    const x = e.canvasX - node.pos[0]
    const width = this.width || node.size[0]
    if (x < ARROW_ZONE_PX || x > width - ARROW_ZONE_PX) {
      super.onClick(options) // arrows: one step, through setValue
      return
    }
    this.studio.prompt({
      input: this.name,
      rule: this.rule,
      value: Number(this.value),
      event: e,
      set: (value) => this.setValue(value, options),
    })
  }
}

/** A number widget for `node`'s input `name`, ready for node.addCustomWidget. */
export function createNumberWidget(node: LGraphNode, name: string, value: number, callback: () => void, options: StudioNumberOptions): StudioNumberWidget {
  const { rule } = options
  // min/max/precision/step2 are what litegraph's drawing and arrow buttons read.
  const widgetOptions = { ...options, min: rule.min, max: rule.max, precision: rule.precision, step2: rule.step, round: rule.whole ? 1 : rule.step }
  const widget = { type: 'number', name, value, callback, options: widgetOptions, y: 0 } as unknown as INumericWidget
  return new StudioNumberWidget(widget, node)
}

/** The editor's prompt dialog request for a number widget click; `redraw` runs after the value is set. */
export function numberPrompt(request: NumberPromptRequest, at: CanvasPoint, redraw: () => void): PromptRequest {
  return {
    title: request.input,
    value: String(request.value),
    multiline: false,
    numeric: true,
    at,
    rule: request.rule,
    input: request.input,
    submit: (text) => {
      request.set(Number(text))
      redraw()
    },
  }
}
