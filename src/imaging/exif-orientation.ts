// The EXIF orientation of a JPEG (tag 0x0112 in APP1's IFD0), and the turn it asks for: cameras store pixels as the
// sensor read them and say how to turn them; browsers (createImageBitmap) and ComfyUI (exif_transpose) apply it.

/** 1 (as stored) to 8; 1 when the file says nothing or says it unreadably. */
export function jpegOrientation(bytes: Uint8Array): number {
  let at = 2
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!
    if (marker === 0xda || length < 2) break // image data starts: no EXIF after it
    if (marker === 0xe1 && isExif(bytes, at + 4)) return tiffOrientation(bytes.subarray(at + 10, at + 2 + length))
    at += 2 + length
  }
  return 1
}

function isExif(bytes: Uint8Array, at: number): boolean {
  return String.fromCharCode(...bytes.subarray(at, at + 4)) === 'Exif' && bytes[at + 4] === 0 && bytes[at + 5] === 0
}

function tiffOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength)
  const little = tiff[0] === 0x49 && tiff[1] === 0x49
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1
  const ifd = view.getUint32(4, little)
  if (ifd + 2 > tiff.length) return 1
  const count = view.getUint16(ifd, little)
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12
    if (entry + 12 > tiff.length) return 1
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little)
      return value >= 1 && value <= 8 ? value : 1
    }
  }
  return 1
}

/** RGBA8 pixels turned upright for `orientation` (2-8 mirror and/or rotate; 5-8 swap width and height). */
export function applyOrientation(image: { width: number; height: number; data: Uint8ClampedArray }, orientation: number): { width: number; height: number; data: Uint8ClampedArray } {
  if (orientation <= 1 || orientation > 8) return image
  const { width: w, height: h, data } = image
  const swap = orientation >= 5
  const outW = swap ? h : w
  const outH = swap ? w : h
  const out = new Uint8ClampedArray(data.length)
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const [sx, sy] = sourcePixel(orientation, x, y, w, h)
      const from = (sy * w + sx) * 4
      const to = (y * outW + x) * 4
      out[to] = data[from]!
      out[to + 1] = data[from + 1]!
      out[to + 2] = data[from + 2]!
      out[to + 3] = data[from + 3]!
    }
  }
  return { width: outW, height: outH, data: out }
}

/** Where upright pixel (x, y) comes from in the stored w x h image. */
function sourcePixel(orientation: number, x: number, y: number, w: number, h: number): [number, number] {
  switch (orientation) {
    case 2: return [w - 1 - x, y] // mirrored
    case 3: return [w - 1 - x, h - 1 - y] // turned 180°
    case 4: return [x, h - 1 - y] // mirrored vertically
    case 5: return [y, x] // transposed
    case 6: return [y, h - 1 - x] // stored turned 90° anticlockwise: turn clockwise
    case 7: return [w - 1 - y, h - 1 - x] // transverse
    default: return [w - 1 - y, x] // 8: stored turned 90° clockwise
  }
}
