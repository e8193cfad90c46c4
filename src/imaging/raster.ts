// A small RGBA drawing surface for labels, grids and charts without a canvas (Node and browser alike), encoded
// with the repo's PNG encoder. Used by the shapes evaluation, template thumbnails and sweep grids.
import { encodePng } from '../graph/png.js'
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from './pixel-font.js'

export type Colour = readonly [number, number, number]

export class Raster {
  readonly data: Uint8ClampedArray

  constructor(
    readonly width: number,
    readonly height: number,
    background: Colour = [255, 255, 255],
  ) {
    this.data = new Uint8ClampedArray(width * height * 4)
    this.fillRect(0, 0, width, height, background)
  }

  setPixel(x: number, y: number, colour: Colour): void {
    const px = Math.round(x)
    const py = Math.round(y)
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return
    this.data.set([colour[0], colour[1], colour[2], 255], (py * this.width + px) * 4)
  }

  fillRect(x: number, y: number, w: number, h: number, colour: Colour): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.setPixel(xx, yy, colour)
  }

  /** A line `thickness` pixels wide, stepped one pixel at a time along its longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, colour: Colour, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))))
    const r = Math.floor(thickness / 2)
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps
      const y = y0 + ((y1 - y0) * i) / steps
      this.fillRect(Math.round(x) - r, Math.round(y) - r, thickness, thickness, colour)
    }
  }

  /** Text in the 3x5 font, `scale` pixels per font pixel; returns the width drawn. */
  text(x: number, y: number, text: string, colour: Colour, scale = 1): number {
    let cx = x
    for (const char of text) {
      const rows = glyph(char)
      rows.forEach((row, gy) => {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) if (row[gx] === '#') this.fillRect(cx + gx * scale, y + gy * scale, scale, scale, colour)
      })
      cx += (GLYPH_WIDTH + 1) * scale
    }
    return cx - x
  }

  /** Copies an RGBA image of `w` x `h` pixels, each pixel drawn as a `scale` x `scale` block. */
  blit(x: number, y: number, rgba: Uint8ClampedArray | Uint8Array, w: number, h: number, scale = 1): void {
    for (let yy = 0; yy < h; yy++) {
      for (let xx = 0; xx < w; xx++) {
        const p = (yy * w + xx) * 4
        this.fillRect(x + xx * scale, y + yy * scale, scale, scale, [rgba[p]!, rgba[p + 1]!, rgba[p + 2]!])
      }
    }
  }

  png(text: Record<string, string> = {}): Uint8Array {
    return encodePng(this.data, this.width, this.height, text)
  }
}

export const textWidth = (text: string, scale = 1): number => text.length * (GLYPH_WIDTH + 1) * scale
export const TEXT_HEIGHT = GLYPH_HEIGHT
