// Keeps popups (context menus, their submenus, the node search) inside the window: a menu opened near the right or
// bottom edge opens to the left of / above the pointer, and one taller than the window is capped and scrolls.

export interface Size {
  readonly width: number
  readonly height: number
}

export interface Placement {
  readonly left: number
  readonly top: number
  /** The most height the popup may take; it scrolls beyond that. */
  readonly maxHeight: number
}

/** Gap kept between a popup and the window's edges, in CSS pixels. */
export const VIEWPORT_MARGIN = 6

/**
 * Where a popup of `size` opened at pointer (x, y) goes: right of and below the pointer when it fits, else
 * flipped to the other side, else pushed against the far edge.
 */
export function placeAtPointer(x: number, y: number, size: Size, viewport: Size, margin = VIEWPORT_MARGIN): Placement {
  const maxHeight = Math.max(0, viewport.height - 2 * margin)
  const height = Math.min(size.height, maxHeight)
  return { left: along(x, x, size.width, viewport.width, margin), top: along(y, y, height, viewport.height, margin), maxHeight }
}

/** A submenu next to its item: to the right of the item when it fits, else to its left; top-aligned with the item. */
export function placeBeside(item: { left: number; top: number; right: number }, size: Size, viewport: Size, margin = VIEWPORT_MARGIN): Placement {
  const maxHeight = Math.max(0, viewport.height - 2 * margin)
  const height = Math.min(size.height, maxHeight)
  return { left: along(item.right, item.left, size.width, viewport.width, margin), top: along(item.top, item.top, height, viewport.height, margin), maxHeight }
}

/**
 * One axis: start at `forward` (opening towards the far edge) when the popup fits there, else end at `backward`
 * (opening towards the near edge) when it fits there, else as close to the far edge as the window allows.
 */
function along(forward: number, backward: number, extent: number, space: number, margin: number): number {
  if (forward + extent <= space - margin) return Math.max(margin, forward)
  if (backward - extent >= margin) return backward - extent
  return Math.max(margin, space - margin - extent)
}
