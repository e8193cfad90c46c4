// A model name widget: drawn and stored like a text widget (graph files keep plain names), but a click offers the
// catalog's models of its kind through the editor's own menu (litegraph's menu builds HTML from strings, and model
// names come from users' files), with "Other…" falling back to the text prompt.
import { TextWidget, type LGraphNode } from '@comfyorg/litegraph'
import type { CanvasPointerEvent } from '@comfyorg/litegraph'
import type { StringSpec } from '../engine/spec.js'

type IStringWidget = ConstructorParameters<typeof TextWidget>[0]
type WidgetEventOptions = Parameters<TextWidget['onClick']>[0]

/** The kind of name the widget holds: a model of the catalog, or an input image ('image'). */
export type ModelWidgetHint = NonNullable<StringSpec['model']> | NonNullable<StringSpec['upload']>

/** A click on a model widget: the editor shows the choices and calls back. */
export interface ModelWidgetClick {
  readonly hint: ModelWidgetHint
  readonly value: string
  readonly event: CanvasPointerEvent
  pick(value: string): void
  /** Opens the free-text prompt, as a plain text widget would. */
  other(): void
}

export interface ModelWidgetOptions {
  readonly model: ModelWidgetHint
  readonly choose: (click: ModelWidgetClick) => void
}

export class ModelWidget extends TextWidget {
  // litegraph copies widgets with `new this.constructor(widget, node)`: everything this class needs is in options.
  constructor(widget: IStringWidget, node: LGraphNode) {
    super(widget, node)
  }

  private get modelOptions(): ModelWidgetOptions {
    return this.options as unknown as ModelWidgetOptions
  }

  /** A trailing ▾ tells a list apart from a plain text field. */
  override get _displayValue(): string {
    const shown = super._displayValue
    return shown === '' ? shown : `${shown} ▾`
  }

  override onClick(options: WidgetEventOptions): void {
    const { model, choose } = this.modelOptions
    choose({
      hint: model,
      value: String(this.value ?? ''),
      event: options.e,
      pick: (value) => this.setValue(value, options),
      other: () => super.onClick(options),
    })
  }
}

/** A model widget for `node`'s input `name`, ready for node.addCustomWidget. */
export function createModelWidget(node: LGraphNode, name: string, value: string, callback: () => void, options: ModelWidgetOptions): ModelWidget {
  const widget = { type: 'text', name, value, callback, options, y: 0 } as unknown as IStringWidget
  return new ModelWidget(widget, node)
}
