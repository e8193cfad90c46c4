// Where Fit puts the view: the whole content when it fits at a zoom where canvas text stays readable; otherwise
// that smallest readable zoom, centred on the content but moved so the focus (the output or selected nodes) is in
// view. Pure geometry in graph units; the editor hands the result to litegraph's fitToBounds/animateToBounds.

/** x, y, width, height. */
export type Rect = readonly [number, number, number, number]

export interface ReadableFitOptions {
  /** Canvas size in CSS pixels. */
  readonly viewWidth: number
  readonly viewHeight: number
  /** Share of the view the fitted bounds fill (litegraph's `zoom` option). */
  readonly margin: number
  /** The smallest scale at which the canvas text stays readable. */
  readonly minScale: number
}

/** Screen pixels kept between the focus and the view's edges. */
const FOCUS_EDGE_PX = 8

/** litegraph's fit: the bounds are taken as at least 300 graph units each way. */
export function fitScaleFor(bounds: Rect, options: Pick<ReadableFitOptions, 'viewWidth' | 'viewHeight' | 'margin'>): number {
  return options.margin * Math.min(options.viewWidth / Math.max(bounds[2], 300), options.viewHeight / Math.max(bounds[3], 300))
}

/**
 * The bounds to fit so the view ends at a readable scale: `content` itself when it fits at `minScale` or above,
 * else a rectangle that litegraph's fit turns into exactly `minScale`, showing as much of `content` as it can with
 * `focus` inside it (centred on the focus when even that is too big).
 */
export function readableFitBounds(content: Rect, focus: Rect | null, options: ReadableFitOptions): Rect {
  if (fitScaleFor(content, options) >= options.minScale) return content
  // The focus must fit in what the view shows, less a few pixels at the edges (not less the fit's margin, which
  // would move the view off the content's centre for nothing).
  const span = (size: number): number => Math.max(0, size - 2 * FOCUS_EDGE_PX) / options.minScale
  const x = centreAlong(content[0], content[2], focus?.[0], focus?.[2], span(options.viewWidth))
  const y = centreAlong(content[1], content[3], focus?.[1], focus?.[3], span(options.viewHeight))
  // Bounds that litegraph's fit (which fills `margin` of the view with them) turns into exactly `minScale`.
  const width = (options.margin * options.viewWidth) / options.minScale
  const height = (options.margin * options.viewHeight) / options.minScale
  return [x - width / 2, y - height / 2, width, height]
}

/** The view centre along one axis: the content's centre, shifted the least that brings the focus in view. */
function centreAlong(start: number, size: number, focusStart: number | undefined, focusSize: number | undefined, span: number): number {
  const centre = start + size / 2
  if (focusStart === undefined || focusSize === undefined) return centre
  if (focusSize >= span) return focusStart + focusSize / 2
  const lowest = focusStart + focusSize - span / 2
  const highest = focusStart + span / 2
  return Math.min(Math.max(centre, lowest), highest)
}

/** The rectangle around several rectangles, or null for none. */
export function unionOf(rects: readonly Rect[]): Rect | null {
  if (rects.length === 0) return null
  const left = Math.min(...rects.map((r) => r[0]))
  const top = Math.min(...rects.map((r) => r[1]))
  const right = Math.max(...rects.map((r) => r[0] + r[2]))
  const bottom = Math.max(...rects.map((r) => r[1] + r[3]))
  return [left, top, right - left, bottom - top]
}

/**
 * Where a new node of `size` (title included) goes so it lies inside the visible area `view` when it can:
 * at `at`, moved back inside by the least amount, `padding` graph units from the edges.
 */
export function placeInside(at: readonly [number, number], size: readonly [number, number], view: Rect, padding: number): [number, number] {
  const along = (position: number, extent: number, viewStart: number, viewSize: number): number => {
    const low = viewStart + padding
    const high = viewStart + viewSize - padding - extent
    // A node bigger than the view keeps its top-left corner in view.
    return high < low ? low : Math.min(Math.max(position, low), high)
  }
  return [along(at[0], size[0], view[0], view[2]), along(at[1], size[1], view[1], view[3])]
}

/** Screen pixels kept between what Fit clears of a corner and that corner's overlay. */
const CORNER_GAP_PX = 8

/**
 * `bounds` moved so that, once litegraph fits them (centred, at `fitScaleFor` capped by `maxScale`), `subject` is
 * clear of an overlay of `corner` CSS pixels in the view's bottom-right corner (the minimap), moving up or left,
 * whichever is less, and only as far as keeps the subject in view: a move cannot help when the subject fills the
 * view both ways. `subject` is the content when it shows whole, else the focus.
 */
export function boundsClearOfCorner(bounds: Rect, subject: Rect, corner: { width: number; height: number }, options: Pick<ReadableFitOptions, 'viewWidth' | 'viewHeight' | 'margin'> & { maxScale: number }): Rect {
  const scale = Math.min(fitScaleFor(bounds, options), options.maxScale)
  const { viewWidth, viewHeight } = options
  // Where the subject lands on screen: litegraph centres the bounds in the view.
  const left = (subject[0] - bounds[0] - bounds[2] / 2) * scale + viewWidth / 2
  const top = (subject[1] - bounds[1] - bounds[3] / 2) * scale + viewHeight / 2
  const right = left + subject[2] * scale
  const bottom = top + subject[3] * scale
  const cornerLeft = viewWidth - corner.width - CORNER_GAP_PX
  const cornerTop = viewHeight - corner.height - CORNER_GAP_PX
  if (right <= cornerLeft || bottom <= cornerTop) return bounds
  // Each move, in screen pixels, if the subject still fits between the view's far edge and the overlay.
  const up = bottom - cornerTop
  const leftward = right - cornerLeft
  const moves: [number, number][] = []
  if (top - up >= CORNER_GAP_PX) moves.push([0, up])
  if (left - leftward >= CORNER_GAP_PX) moves.push([leftward, 0])
  if (moves.length === 0) return bounds
  const [dx, dy] = moves.reduce((best, move) => (move[0] + move[1] < best[0] + best[1] ? move : best))
  // The view moves with the bounds: bounds further right and down show the subject further left and up.
  return [bounds[0] + dx / scale, bounds[1] + dy / scale, bounds[2], bounds[3]]
}
