// Colours to palette names. Plain RGB distance: the palette's closest pair (orange/yellow) is 70 apart, far more
// than the colour drift of a decoded image, so a perceptual space would buy nothing here.
import type { Rgb, SceneDomain } from './domain.js'

export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
}

export function nearestPaletteColour(domain: SceneDomain, rgb: Rgb): string {
  let best = ''
  let bestDistance = Infinity
  for (const [name, colour] of domain.palette) {
    const d = colourDistance(rgb, colour)
    if (d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  return best
}

/** Per-channel median: a few stray pixels (noise, anti-aliased edges) cannot move it, unlike a mean. */
export function medianColour(samples: readonly Rgb[]): Rgb {
  const median = (c: 0 | 1 | 2) => {
    const values = samples.map((s) => s[c]).sort((a, b) => a - b)
    const mid = values.length >> 1
    return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2
  }
  return [median(0), median(1), median(2)]
}
