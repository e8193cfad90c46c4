// ComfyUI's "convert widget to input" and back. Whether a widget may take a link is declaration data
// (`linkable`, default true; advanced inputs have no widget on the canvas to convert), the same rule the engine's
// validation applies, so the menu, loading a file and running all agree. A converted widget stays on the node,
// hidden, and keeps its value for when it is turned back into a widget; the node gets an input socket of the
// widget's value type (INT, FLOAT, STRING, BOOLEAN) in its place.
import { canTakeLink, isWidget, widgetValueType } from '../engine/spec.js'
import type { SpecNode } from './node-types.js'
import { seedControlName } from './node-types.js'
import { reserveTextArea, TEXT_AREA_MIN_HEIGHT } from './text-areas.js'

/** Widgets shown on the node that the declaration lets become input sockets. */
export function convertibleWidgets(node: SpecNode): string[] {
  return Object.entries(node.definition.inputs)
    .filter(([name, spec]) => canTakeLink(spec) && !spec.advanced && !isConverted(node, name) && node.widgets?.some((w) => w.name === name))
    .map(([name]) => name)
}

/** Widget inputs currently shown as sockets. */
export function convertedWidgets(node: SpecNode): string[] {
  return Object.entries(node.definition.inputs)
    .filter(([name, spec]) => isWidget(spec) && isConverted(node, name))
    .map(([name]) => name)
}

export function isConverted(node: SpecNode, name: string): boolean {
  const spec = Object.hasOwn(node.definition.inputs, name) ? node.definition.inputs[name] : undefined
  return spec !== undefined && isWidget(spec) && node.inputs.some((i) => i.name === name)
}

/** Replaces widget `name` by an input socket; false when the declaration does not allow it. */
export function widgetToInput(node: SpecNode, name: string): boolean {
  const spec = Object.hasOwn(node.definition.inputs, name) ? node.definition.inputs[name] : undefined
  if (!spec || !canTakeLink(spec) || spec.advanced || isConverted(node, name)) return false
  const widget = node.widgets?.find((w) => w.name === name)
  if (!widget) return false
  for (const w of node.widgets ?? []) {
    if (w !== widget && w.name !== seedControlName(name)) continue
    w.hidden = true
    // A textarea slot gives its space back (the text layer skips widgets fed by a link).
    w.computeLayoutSize = () => ({ minHeight: 0, minWidth: 0 })
  }
  node.addInput(name, widgetValueType(spec))
  resize(node)
  return true
}

/** Turns a converted input back into its widget, dropping the link into it; false when `name` is no such input. */
export function inputToWidget(node: SpecNode, name: string): boolean {
  if (!isConverted(node, name)) return false
  const spec = node.definition.inputs[name]!
  const index = node.inputs.findIndex((i) => i.name === name)
  if (node.inputs[index]?.link != null) node.disconnectInput(index)
  node.removeInput(index)
  for (const w of node.widgets ?? []) {
    if (w.name !== name && w.name !== seedControlName(name)) continue
    delete (w as { computeLayoutSize?: unknown }).computeLayoutSize
    w.hidden = false
    if (spec.kind === 'string' && spec.multiline && w.name === name) reserveTextArea(w)
  }
  resize(node, spec.kind === 'string' && spec.multiline ? TEXT_AREA_MIN_HEIGHT + 4 : 0)
  return true
}

/** Fits the node's height to its slots and widgets; `extra` for a textarea, which computeSize leaves out. */
function resize(node: SpecNode, extra = 0): void {
  const size = node.computeSize()
  node.setSize([Math.max(node.size[0], size[0]), size[1] + extra])
  node.setDirtyCanvas(true, true)
}
