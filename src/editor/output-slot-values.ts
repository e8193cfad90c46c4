// An output node's computed values (a score, a timing) drawn on the node itself, each on its output's row, right
// -aligned against the output's label: they fit in any node's size, where lines below the widgets need room the
// shipped layouts do not leave.
import type { LGraphNode } from '@comfyorg/litegraph'
import { markedColour, OVERLAY_FONT, shortenEnd } from './canvas-text.js'
import { CANVAS_COLOURS } from './theme.js'

/** litegraph draws a slot's label 10 units from the slot's centre. */
const LABEL_OFFSET = 10
/** Space between a value and the labels around it. */
const GAP = 8
/** Narrower room than this shows no value at all. */
const MIN_ROOM = 16

/** What a value shows on one row: a number to 4 decimals, else its first line, marked as cut when it has more. */
export function rowText(value: string): string {
  if (/^-?\d+\.\d{5,}$/.test(value)) return Number(value).toFixed(4)
  const newline = value.indexOf('\n')
  return newline < 0 ? value : `${value.slice(0, newline)} …`
}

const labelOf = (slot: { label?: string | null; localized_name?: string; name: string }): string => slot.label || slot.localized_name || slot.name

export function drawOutputValues(ctx: CanvasRenderingContext2D, node: LGraphNode, values: ReadonlyMap<string, string>): void {
  if (node.flags.collapsed) return
  ctx.save()
  ctx.font = OVERLAY_FONT
  ctx.textAlign = 'right'
  ctx.textBaseline = 'alphabetic'
  node.outputs.forEach((output, index) => {
    const value = values.get(output.name)
    if (value === undefined) return
    const [slotX, slotY] = node.getOutputPos(index)
    const x = (slotX ?? 0) - node.pos[0]
    const y = (slotY ?? 0) - node.pos[1]
    const right = x - LABEL_OFFSET - ctx.measureText(labelOf(output)).width - GAP
    // The input on the same row, if any, keeps its label clear.
    const input = node.inputs[index]
    const left = input ? LABEL_OFFSET * 2 + ctx.measureText(labelOf(input)).width + GAP : GAP
    if (right - left < MIN_ROOM) return
    const text = shortenEnd(ctx, rowText(value), right - left)
    if (text === '') return
    ctx.fillStyle = markedColour(text, CANVAS_COLOURS.outputValue)
    // litegraph's label baseline: 5 units under the slot's centre.
    ctx.fillText(text, right, y + 5)
  })
  ctx.restore()
}
