// The mask editor's painting, on a plane of 0-255 values at the image's size (255: repaint). It is saved as the
// image's transparency (255 - mask), which Load Image reads back as its mask output, as ComfyUI's mask editor does.

export interface PaintPoint {
  readonly x: number
  readonly y: number
}

/** The mask an image already carries: its transparency (a transparent pixel is repainted). */
export function maskFromAlpha(rgba: Uint8ClampedArray): Uint8Array {
  const mask = new Uint8Array(rgba.length / 4)
  for (let i = 0; i < mask.length; i++) mask[i] = 255 - rgba[i * 4 + 3]!
  return mask
}

function paintDisc(mask: Uint8Array, width: number, height: number, centre: PaintPoint, radius: number, value: number): void {
  const r2 = radius * radius
  const x0 = Math.max(0, Math.floor(centre.x - radius))
  const x1 = Math.min(width - 1, Math.ceil(centre.x + radius))
  const y0 = Math.max(0, Math.floor(centre.y - radius))
  const y1 = Math.min(height - 1, Math.ceil(centre.y + radius))
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - centre.x
      const dy = y + 0.5 - centre.y
      if (dx * dx + dy * dy <= r2) mask[y * width + x] = value
    }
  }
}

/**
 * A brush stroke from `from` to `to` (image pixels): discs of `radius` close enough together to leave no gaps.
 * `erase` clears the mask instead of setting it.
 */
export function paintStroke(mask: Uint8Array, width: number, height: number, from: PaintPoint, to: PaintPoint, radius: number, erase: boolean): void {
  const value = erase ? 0 : 255
  const length = Math.hypot(to.x - from.x, to.y - from.y)
  const steps = Math.max(1, Math.ceil(length / Math.max(0.5, radius / 2)))
  for (let s = 0; s <= steps; s++) {
    const t = s / steps
    paintDisc(mask, width, height, { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t }, Math.max(0.5, radius), value)
  }
}

export function invertMaskValues(mask: Uint8Array): void {
  for (let i = 0; i < mask.length; i++) mask[i] = 255 - mask[i]!
}

/** The image with the mask as its transparency; colours are kept under transparent pixels (they are encoded as they are). */
export function withMaskAsAlpha(rgba: Uint8ClampedArray, mask: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(rgba)
  for (let i = 0; i < mask.length; i++) out[i * 4 + 3] = 255 - mask[i]!
  return out
}

/** The name the edited image is kept under: `photo.jpg` -> `photo-mask.png`, and an edited mask keeps its name. */
export function maskedImageName(name: string): string {
  const base = name.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '').replace(/ \(\d+\)$/, '')
  return `${base.endsWith('-mask') ? base : `${base}-mask`}.png`
}

/** Undo and redo for the mask editor: whole-mask snapshots taken before each change, the oldest dropped past `limit`. */
export class MaskHistory {
  private readonly undoStack: Uint8Array[] = []
  private readonly redoStack: Uint8Array[] = []

  constructor(private readonly limit = 30) {}

  get canUndo(): boolean {
    return this.undoStack.length > 0
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0
  }

  /** Call before changing `mask`. */
  record(mask: Uint8Array): void {
    this.undoStack.push(mask.slice())
    if (this.undoStack.length > this.limit) this.undoStack.shift()
    this.redoStack.length = 0
  }

  /** Puts the mask back as it was before the last change; false when there is none. */
  undo(mask: Uint8Array): boolean {
    return this.swap(this.undoStack, this.redoStack, mask)
  }

  redo(mask: Uint8Array): boolean {
    return this.swap(this.redoStack, this.undoStack, mask)
  }

  private swap(from: Uint8Array[], to: Uint8Array[], mask: Uint8Array): boolean {
    const previous = from.pop()
    if (!previous) return false
    to.push(mask.slice())
    mask.set(previous)
    return true
  }
}
