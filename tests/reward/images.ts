// Deterministic test images, the same formula as scripts/fixtures/reward-reference.py's test_image.

export function testImageRgba(width: number, height: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4
      for (let c = 0; c < 3; c++) {
        rgba[p + c] = (x * 7 + y * 13 + c * 50 + ((x * y) % 31) * 3 + ((Math.floor(x / 3) + Math.floor(y / 5)) % 2) * 40) % 256
      }
      rgba[p + 3] = 255
    }
  }
  return rgba
}

export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}

export function byteSum(bytes: Uint8Array): number {
  let s = 0
  for (const b of bytes) s += b
  return s
}
