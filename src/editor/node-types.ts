// litegraph node types derived from the node declarations: sockets, outputs and widgets come from the
// input specs, so no node has UI code of its own.
import { LGraphNode, LiteGraph } from '@comfyorg/litegraph'
import type { AnyNodeDefinition, InputSpec, SeedControl, WidgetSpec } from '../engine/spec.js'
import { isSocket } from '../engine/spec.js'
import { inactiveReason, isNumberSpec, numberRule, roundToPrecision } from '../engine/value-rules.js'
import { createModelWidget, type ModelWidgetClick } from './model-widget.js'
import { drawNodeOverlay, type NodeRunView } from './node-overlay.js'
import { drawModeTint } from './node-tools.js'
import { reserveTextArea, TEXT_AREA_MIN_HEIGHT } from './text-areas.js'
import { createNumberWidget, type NumberPromptRequest } from './widget-number.js'

export const SEED_CONTROLS: readonly SeedControl[] = ['fixed', 'increment', 'decrement', 'randomize']

/** Name of the companion widget that holds a seed's control-after-run mode. */
export function seedControlName(input: string): string {
  return `${input} control`
}

/** Hooks the editor installs so nodes can report link attempts and widget edits without importing Vue. */
export interface NodeHooks {
  canConnect(from: LGraphNode, outputIndex: number, to: LGraphNode, inputIndex: number): string | null
  widgetChanged(node: LGraphNode, name: string): void
  runView(node: LGraphNode): NodeRunView | undefined
  /** A model widget was clicked: offer the catalog's models of its kind. */
  chooseModel(node: LGraphNode, input: string, click: ModelWidgetClick): void
  /** A number widget was clicked in its middle: ask for a typed value, checked against the input's rule. */
  promptNumber(node: LGraphNode, request: NumberPromptRequest): void
}

let hooks: NodeHooks = {
  canConnect: () => null,
  widgetChanged: () => {},
  runView: () => undefined,
  chooseModel: (_node, _input, click) => click.other(),
  promptNumber: () => {},
}

export function setNodeHooks(next: NodeHooks): void {
  hooks = next
}

/** The run state the editor has for a node (placeholders draw it too, though they are not SpecNodes). */
export function nodeRunView(node: LGraphNode): NodeRunView | undefined {
  return hooks.runView(node)
}

/** Base class of every declared node type. */
export class SpecNode extends LGraphNode {
  static definition: AnyNodeDefinition

  get definition(): AnyNodeDefinition {
    return (this.constructor as typeof SpecNode).definition
  }

  /** Values of `advanced` inputs: not drawn on the canvas, edited in the inspector. */
  advancedValues: Record<string, unknown> = Object.create(null) as Record<string, unknown>

  constructor(title?: string) {
    super(title ?? '')
    const def = (this.constructor as typeof SpecNode).definition
    this.title = title ?? def.displayName
    this.serialize_widgets = true
    for (const [name, spec] of Object.entries(def.inputs)) {
      if (isSocket(spec)) this.addInput(name, spec.type, spec.optional ? { shape: 7 } : {})
      else if (spec.advanced) this.advancedValues[name] = spec.default
      else this.addSpecWidget(name, spec)
    }
    for (const [name, out] of Object.entries(def.outputs)) this.addOutput(name, out.type)
    for (const widget of this.widgets ?? []) {
      const spec = specOfInput(this, widget.name)
      if (spec?.description) widget.tooltip = spec.description
    }
    this.refreshInactiveInputs()
    if (def.virtual) this.color = '#432'
    const size = this.computeSize()
    // computeSize leaves out hidden widgets: a textarea slot gets its minimum height on top.
    const textAreas = (this.widgets ?? []).filter((w) => w.hidden).length
    // A node that shows an image (Save, Preview, Load Image) opens with room for one below its widgets, as in
    // ComfyUI: at computeSize's height the image had none, and a Preview Image added from the search showed nothing.
    const imageArea = showsImages(def) ? IMAGE_AREA_HEIGHT : 0
    this.size = [Math.max(size[0], imageArea > 0 ? IMAGE_AREA_HEIGHT : 240), size[1] + textAreas * (TEXT_AREA_MIN_HEIGHT + 4) + imageArea]
  }

  private addSpecWidget(name: string, spec: WidgetSpec): void {
    const changed = (): void => {
      this.refreshInactiveInputs()
      hooks.widgetChanged(this, name)
    }
    switch (spec.kind) {
      case 'int':
      case 'float':
      case 'seed': {
        const prompt = (request: NumberPromptRequest): void => hooks.promptNumber(this, request)
        this.addCustomWidget(createNumberWidget(this, name, spec.default, changed, { rule: numberRule(spec), prompt }))
        if (spec.kind === 'seed') this.addWidget('combo', seedControlName(name), spec.controlAfterRun, () => {}, { values: [...SEED_CONTROLS] })
        break
      }
      case 'combo':
        this.addWidget('combo', name, spec.default, changed, { values: [...spec.options] })
        break
      case 'boolean':
        this.addWidget('toggle', name, spec.default, changed, {})
        break
      case 'string': {
        const hint = spec.model ?? spec.upload
        if (hint && !spec.multiline) {
          const choose = (click: ModelWidgetClick): void => hooks.chooseModel(this, name, click)
          this.addCustomWidget(createModelWidget(this, name, spec.default, changed, { model: hint, choose }))
          break
        }
        const widget = this.addWidget('text', name, spec.default, changed, { multiline: spec.multiline ?? false })
        if (spec.multiline) reserveTextArea(widget)
        break
      }
    }
  }

  /** Widget and advanced values by input name (seed control widgets excluded); numbers without float noise. */
  widgetValues(): Record<string, unknown> {
    const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    for (const [name, value] of Object.entries(this.advancedValues)) values[name] = value
    for (const w of this.widgets ?? []) if (Object.hasOwn(this.definition.inputs, w.name)) values[w.name] = w.value
    for (const [name, value] of Object.entries(values)) {
      const spec = specOfInput(this, name)
      if (typeof value === 'number' && spec && spec.kind !== 'socket' && isNumberSpec(spec)) values[name] = roundToPrecision(value, numberRule(spec).precision)
    }
    return values
  }

  /** Stores a value as given (callers conform typed numbers first, so they can say what changed). */
  setInputValue(name: string, value: unknown): boolean {
    const widget = this.widgets?.find((w) => w.name === name)
    if (widget) {
      widget.value = value as never
      this.refreshInactiveInputs()
      return true
    }
    if (Object.hasOwn(this.advancedValues, name)) {
      this.advancedValues[name] = value
      this.refreshInactiveInputs()
      return true
    }
    return false
  }

  /** Why an input is ignored with the node's current values (its `activeWhen`), or undefined. */
  inactiveReason(name: string): string | undefined {
    const spec = specOfInput(this, name)
    return spec && spec.kind !== 'socket' ? inactiveReason(spec.activeWhen, this.widgetValues()) : undefined
  }

  /** Dims and disables the canvas widgets of ignored inputs (litegraph skips disabled widgets on click). */
  refreshInactiveInputs(): void {
    for (const widget of this.widgets ?? []) {
      const spec = specOfInput(this, widget.name)
      if (!spec || spec.kind === 'socket' || !spec.activeWhen) continue
      widget.disabled = this.inactiveReason(widget.name) !== undefined
    }
  }

  override onConnectInput(targetSlot: number, _type: unknown, _output: unknown, node: LGraphNode, slot: number): boolean {
    const reason = hooks.canConnect(node, slot, this, targetSlot)
    return reason === null
  }

  override onDrawForeground(ctx: CanvasRenderingContext2D, canvas?: { low_quality?: boolean }): void {
    drawModeTint(ctx, this, LiteGraph.NODE_TITLE_HEIGHT)
    const view = hooks.runView(this)
    if (view) drawNodeOverlay(ctx, this, view, { lowQuality: canvas?.low_quality === true })
  }

  override onSerialize(info: { properties?: Record<string, unknown> }): void {
    info.properties = { ...(info.properties ?? {}), advanced: { ...this.advancedValues } }
  }

  override onConfigure(info: { properties?: Record<string, unknown> }): void {
    const saved = info.properties?.['advanced']
    if (typeof saved === 'object' && saved !== null) {
      for (const name of Object.keys(this.advancedValues)) {
        if (Object.hasOwn(saved, name)) this.advancedValues[name] = (saved as Record<string, unknown>)[name]
      }
    }
    this.refreshInactiveInputs()
  }
}

/** Registers one litegraph type per declaration; idempotent so hot reloads and tests can call it again. */
export function registerNodeTypes(definitions: readonly AnyNodeDefinition[]): void {
  for (const def of definitions) {
    if (LiteGraph.registered_node_types[def.type]) continue
    const nodeClass = class extends SpecNode {
      static override definition = def
      static override title = def.displayName
      static override category = def.category
    }
    LiteGraph.registerNodeType(def.type, nodeClass)
  }
}

/** Height, and least width, of the image area a new Save or Preview Image node opens with (graph units). */
export const IMAGE_AREA_HEIGHT = 256

/** The input of a declaration that names an input image (Load Image's `image`), if it has one. */
export function imageInputName(def: AnyNodeDefinition): string | undefined {
  return Object.entries(def.inputs).find(([, spec]) => spec.kind === 'string' && spec.upload === 'image')?.[0]
}

/**
 * The image input whose transparency is the node's mask output, which the mask editor paints, and the image it
 * names: Load Image, and Load Image (as Mask) while it reads the alpha channel; undefined while no image is named.
 */
export function maskPaintTarget(def: AnyNodeDefinition, values: Readonly<Record<string, unknown>>): { input: string; image: string } | undefined {
  const input = imageInputName(def)
  if (input === undefined || !Object.values(def.outputs).some((out) => out.type === 'MASK')) return undefined
  if (values['channel'] !== undefined && values['channel'] !== 'alpha') return undefined
  const image = String(values[input] ?? '').trim()
  return image === '' ? undefined : { input, image }
}

/**
 * Nodes the editor shows an image in: output nodes that take images and compute nothing from them (Save, Preview),
 * and nodes that name an input image (Load Image).
 */
export function showsImages(def: AnyNodeDefinition): boolean {
  if (imageInputName(def) !== undefined) return true
  return def.isOutput === true && Object.keys(def.outputs).length === 0 && Object.values(def.inputs).some((spec) => isSocket(spec) && spec.type === 'IMAGE')
}

export function isSpecNode(node: LGraphNode | null | undefined): node is SpecNode {
  return node instanceof SpecNode
}

export function specOfInput(node: SpecNode, input: string): InputSpec | undefined {
  return Object.hasOwn(node.definition.inputs, input) ? node.definition.inputs[input] : undefined
}
