// litegraph node types derived from the node declarations: sockets, outputs and widgets come from the
// input specs, so no node has UI code of its own.
import { LGraphNode, LiteGraph } from '@comfyorg/litegraph'
import type { AnyNodeDefinition, InputSpec, SeedControl, WidgetSpec } from '../engine/spec.js'
import { isSocket } from '../engine/spec.js'
import { createModelWidget, type ModelWidgetClick } from './model-widget.js'
import { drawNodeOverlay, type NodeRunView } from './node-overlay.js'
import { reserveTextArea, TEXT_AREA_MIN_HEIGHT } from './text-areas.js'

type WidgetOptions = Parameters<LGraphNode['addWidget']>[4]

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
}

let hooks: NodeHooks = {
  canConnect: () => null,
  widgetChanged: () => {},
  runView: () => undefined,
  chooseModel: (_node, _input, click) => click.other(),
}

export function setNodeHooks(next: NodeHooks): void {
  hooks = next
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
    if (def.virtual) this.color = '#432'
    const size = this.computeSize()
    // computeSize leaves out hidden widgets: a textarea slot gets its minimum height on top.
    const textAreas = (this.widgets ?? []).filter((w) => w.hidden).length
    this.size = [Math.max(size[0], 240), size[1] + textAreas * (TEXT_AREA_MIN_HEIGHT + 4)]
  }

  private addSpecWidget(name: string, spec: WidgetSpec): void {
    const changed = (): void => hooks.widgetChanged(this, name)
    switch (spec.kind) {
      case 'int':
      case 'float': {
        const step = spec.step ?? (spec.kind === 'int' ? 1 : 0.01)
        const precision = spec.kind === 'int' ? 0 : (spec.precision ?? decimals(step))
        this.addWidget('number', name, spec.default, changed, {
          min: spec.min,
          max: spec.max,
          step2: step,
          precision,
          round: spec.kind === 'int' ? 1 : step,
        } as WidgetOptions)
        break
      }
      case 'seed':
        this.addWidget('number', name, spec.default, changed, { min: spec.min, max: spec.max, step2: 1, precision: 0, round: 1 } as WidgetOptions)
        this.addWidget('combo', seedControlName(name), spec.controlAfterRun, () => {}, { values: [...SEED_CONTROLS] })
        break
      case 'combo':
        this.addWidget('combo', name, spec.default, changed, { values: [...spec.options] })
        break
      case 'boolean':
        this.addWidget('toggle', name, spec.default, changed, {})
        break
      case 'string': {
        if (spec.model && !spec.multiline) {
          const choose = (click: ModelWidgetClick): void => hooks.chooseModel(this, name, click)
          this.addCustomWidget(createModelWidget(this, name, spec.default, changed, { model: spec.model, choose }))
          break
        }
        const widget = this.addWidget('text', name, spec.default, changed, { multiline: spec.multiline ?? false })
        if (spec.multiline) reserveTextArea(widget)
        break
      }
    }
  }

  /** Widget and advanced values by input name (seed control widgets excluded). */
  widgetValues(): Record<string, unknown> {
    const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    for (const [name, value] of Object.entries(this.advancedValues)) values[name] = value
    for (const w of this.widgets ?? []) if (Object.hasOwn(this.definition.inputs, w.name)) values[w.name] = w.value
    return values
  }

  setInputValue(name: string, value: unknown): boolean {
    const widget = this.widgets?.find((w) => w.name === name)
    if (widget) {
      widget.value = value as never
      return true
    }
    if (Object.hasOwn(this.advancedValues, name)) {
      this.advancedValues[name] = value
      return true
    }
    return false
  }

  override onConnectInput(targetSlot: number, _type: unknown, _output: unknown, node: LGraphNode, slot: number): boolean {
    const reason = hooks.canConnect(node, slot, this, targetSlot)
    return reason === null
  }

  override onDrawForeground(ctx: CanvasRenderingContext2D): void {
    const view = hooks.runView(this)
    if (view) drawNodeOverlay(ctx, this, view)
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
  }
}

function decimals(step: number): number {
  const text = String(step)
  const dot = text.indexOf('.')
  return dot < 0 ? 0 : Math.min(6, text.length - dot - 1)
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

export function isSpecNode(node: LGraphNode | null | undefined): node is SpecNode {
  return node instanceof SpecNode
}

export function specOfInput(node: SpecNode, input: string): InputSpec | undefined {
  return Object.hasOwn(node.definition.inputs, input) ? node.definition.inputs[input] : undefined
}
