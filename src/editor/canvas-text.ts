// Text on the canvas beside litegraph's own: its size (node text, readable at Fit's smallest zoom) and how a text
// too long for its room is shortened rather than squeezed.
import { CANVAS_FONT } from './theme.js'

/** Overlay text is node text: at the size of widget text, so that Fit's zoom keeps it readable too. */
export const OVERLAY_FONT = `${CANVAS_FONT.body}px sans-serif`
export const OVERLAY_LINE_HEIGHT = CANVAS_FONT.body + 4

/**
 * The text as it is when it fits `maxWidth`, else with its middle replaced by an ellipsis, keeping more of its end:
 * a model path keeps its file name and a placeholder its type, where squeezing the text would make it unreadable.
 */
export function shortenMiddle(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text
  const cut = (kept: number): string => `${text.slice(0, Math.ceil(kept * 0.3))}…${text.slice(text.length - Math.floor(kept * 0.7))}`
  // The most characters kept that still fit, by bisection (measuring is the cost).
  let low = 0
  let high = text.length - 1
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (ctx.measureText(cut(mid)).width <= maxWidth) low = mid
    else high = mid - 1
  }
  return cut(low)
}

/** The text as it is when it fits `maxWidth`, else as much of its start as fits, then an ellipsis; "" when not even that fits. */
export function shortenEnd(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text
  let low = 0
  let high = text.length - 1
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) low = mid
    else high = mid - 1
  }
  return low === 0 ? '' : `${text.slice(0, low).trimEnd()}…`
}
