// The gallery's size cap: it keeps the newest images up to a count and a byte total, and drops the oldest first.
// Pure (no IndexedDB), so the rule is unit-tested on its own.

export interface GalleryCap {
  readonly maxCount: number
  readonly maxBytes: number
}

/** 48 images or 64 MB, whichever comes first: a few sessions of trying settings, well within a browser's quota. */
export const GALLERY_CAP: GalleryCap = { maxCount: 48, maxBytes: 64 * 1024 * 1024 }

export interface Sized {
  readonly bytes: number
}

/**
 * Splits `newestFirst` into the images the cap keeps and those it drops (the oldest). The newest image is always kept,
 * even alone over the byte limit, so a run never makes an image that vanishes at once.
 */
export function applyCap<T extends Sized>(newestFirst: readonly T[], cap: GalleryCap = GALLERY_CAP): { kept: T[]; dropped: T[] } {
  let bytes = 0
  let keep = 0
  for (const item of newestFirst) {
    if (keep >= cap.maxCount || (keep > 0 && bytes + item.bytes > cap.maxBytes)) break
    bytes += item.bytes
    keep++
  }
  return { kept: newestFirst.slice(0, keep), dropped: newestFirst.slice(keep) }
}

/** "Keeps the newest 48 images (up to 64 MB); older ones are dropped first." */
export function capText(cap: GalleryCap = GALLERY_CAP): string {
  return `Keeps the newest ${cap.maxCount} images (up to ${Math.round(cap.maxBytes / (1024 * 1024))} MB) across reloads; the oldest are dropped first.`
}
