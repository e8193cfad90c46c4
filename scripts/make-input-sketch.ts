// Writes public/input/shapes-sketch.png, shapes-inpaint.png and shapes-outpaint.png
// (`npx tsx scripts/make-input-sketch.ts`). The first is the bundled img2img input, a rough hand-drawn-looking sketch
// for the shapes model (a wobbly, unevenly filled red circle on a blotchy blue background, colours off the model's
// palette) that graphs/shapes-img2img.json turns into a clean picture.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodePng } from '../src/graph/png.js'

const SIZE = 64

/** A fixed pseudo-random sequence (mulberry32), so the file is the same on every run. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const next = random(7)
const data = new Uint8ClampedArray(SIZE * SIZE * 4)
// The circle's edge wobbles: its radius follows a few slow waves around the centre.
const waves = [0, 1, 2].map(() => ({ amplitude: 0.5 + next(), phase: next() * Math.PI * 2 }))
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const dx = x - 31.5
    const dy = y - 33
    const angle = Math.atan2(dy, dx)
    const radius = 17 + waves.reduce((r, w, k) => r + w.amplitude * Math.sin((k + 2) * angle + w.phase), 0)
    const inside = Math.hypot(dx, dy) < radius
    const grain = (next() - 0.5) * 30
    const [r, g, b] = inside ? [205 + grain, 70 + grain / 2, 55] : [85 + grain / 2, 120 + grain, 205 + grain / 2]
    const at = (y * SIZE + x) * 4
    data.set([r, g, b, 255], at)
  }
}
const out = join(import.meta.dirname, '..', 'public', 'input', 'shapes-sketch.png')
writeFileSync(out, encodePng(data, SIZE, SIZE, {}))
console.log(`wrote ${out}`)

// public/input/shapes-inpaint.png: the bundled inpainting input (graphs/shapes-inpaint.json), a clean picture in the
// model's palette (a large red circle in the middle on a blue background) whose middle square is transparent: Load
// Image's mask, as an image editor's eraser leaves it, marks what the sampler redraws.
const clean = new Uint8ClampedArray(SIZE * SIZE * 4)
const RED = [220, 40, 40]
const BLUE = [40, 90, 220]
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const inside = Math.hypot(x + 0.5 - 32, y + 0.5 - 32) < 0.46 * SIZE * 0.5
    const hole = x >= 12 && x < 52 && y >= 12 && y < 52
    clean.set([...(inside ? RED : BLUE), hole ? 0 : 255], (y * SIZE + x) * 4)
  }
}
const inpaintOut = join(import.meta.dirname, '..', 'public', 'input', 'shapes-inpaint.png')
writeFileSync(inpaintOut, encodePng(clean, SIZE, SIZE, {}))
console.log(`wrote ${inpaintOut}`)

// public/input/shapes-outpaint.png: the same picture without its hole, cut to its left 40 columns, for
// graphs/shapes-outpaint.json to pad back to 64 px and complete.
const OUT_WIDTH = 40
const left = new Uint8ClampedArray(OUT_WIDTH * SIZE * 4)
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < OUT_WIDTH; x++) {
    const at = (y * SIZE + x) * 4
    left.set([clean[at]!, clean[at + 1]!, clean[at + 2]!, 255], (y * OUT_WIDTH + x) * 4)
  }
}
const outpaintOut = join(import.meta.dirname, '..', 'public', 'input', 'shapes-outpaint.png')
writeFileSync(outpaintOut, encodePng(left, OUT_WIDTH, SIZE, {}))
console.log(`wrote ${outpaintOut}`)
