// Where a new node goes so that it covers no other node: from the point asked for, straight down past whatever it
// would overlap, or straight up when down leaves the visible area. Pure geometry on [x, y, width, height] rectangles.
import type { Rect } from './readable-fit.js'

function overlapping(rect: Rect, others: readonly Rect[], gap: number): Rect[] {
  return others.filter((o) => rect[0] < o[0] + o[2] + gap && o[0] < rect[0] + rect[2] + gap && rect[1] < o[1] + o[3] + gap && o[1] < rect[1] + rect[3] + gap)
}

function search(rect: Rect, others: readonly Rect[], gap: number, direction: 1 | -1): Rect {
  let at = rect
  // Each move clears at least one rectangle for good, so this ends within others.length moves.
  for (let i = 0; i <= others.length; i++) {
    const hit = overlapping(at, others, gap)
    if (hit.length === 0) return at
    const y = direction === 1 ? Math.max(...hit.map((o) => o[1] + o[3])) + gap : Math.min(...hit.map((o) => o[1])) - gap - at[3]
    at = [at[0], y, at[2], at[3]]
  }
  return at
}

/**
 * The top-left corner for `rect` (a new node, title included) clear of `others` by `gap`: itself when already clear,
 * else moved down, or up when down would end below `view`'s bottom edge; as asked when neither clears it in view.
 */
export function freeSpot(rect: Rect, others: readonly Rect[], view: Rect, gap: number): [number, number] {
  if (overlapping(rect, others, gap).length === 0) return [rect[0], rect[1]]
  const down = search(rect, others, gap, 1)
  if (overlapping(down, others, gap).length === 0 && down[1] + down[3] <= view[1] + view[3]) return [down[0], down[1]]
  const up = search(rect, others, gap, -1)
  if (overlapping(up, others, gap).length === 0 && up[1] >= view[1]) return [up[0], up[1]]
  // A spot out of view would hide the node just added: it stays where it was dropped.
  return [rect[0], rect[1]]
}
