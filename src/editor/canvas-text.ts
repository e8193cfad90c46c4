// Text on the canvas beside litegraph's own: its size (node text, readable at Fit's smallest zoom) and how a text
// too long for its room is shortened rather than squeezed.
import { CANVAS_COLOURS, CANVAS_FONT } from './theme.js'

/** Overlay text is node text: at the size of widget text, so that Fit's zoom keeps it readable too. */
export const OVERLAY_FONT = `${CANVAS_FONT.body}px sans-serif`
export const OVERLAY_LINE_HEIGHT = CANVAS_FONT.body + 4

/**
 * The text as it is when it fits `maxWidth`, else with its middle replaced by an ellipsis, keeping more of its end:
 * a model path keeps its file name and a placeholder its type, where squeezing the text would make it unreadable.
 */
export function shortenMiddle(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  const cut = (kept: number): string => `${text.slice(0, Math.ceil(kept * 0.3))}…${text.slice(text.length - Math.floor(kept * 0.7))}`
  return ctx.measureText(text).width <= maxWidth ? text : cut(mostKept(ctx, text.length, cut, maxWidth))
}

/** The text as it is when it fits `maxWidth`, else as much of its start as fits, then an ellipsis; "" when not even that fits. */
export function shortenEnd(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text
  const kept = mostKept(ctx, text.length, (n) => `${text.slice(0, n)}…`, maxWidth)
  return kept === 0 ? '' : `${text.slice(0, kept).trimEnd()}…`
}

/** The most characters (under `length`) whose shortened form fits `maxWidth`, by bisection: measuring is the cost. */
function mostKept(ctx: CanvasRenderingContext2D, length: number, shortened: (kept: number) => string, maxWidth: number): number {
  let low = 0
  let high = length - 1
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (ctx.measureText(shortened(mid)).width <= maxWidth) low = mid
    else high = mid - 1
  }
  return low
}

/** The colour of a line of node text by its mark: a failure (✗) red, a pass (✓) green, else `plain`. */
export function markedColour(text: string, plain: string): string {
  return text.includes('✗') ? CANVAS_COLOURS.outputFail : text.includes('✓') ? CANVAS_COLOURS.outputPass : plain
}
