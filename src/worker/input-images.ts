// Input images in the browser: uploaded ones from IndexedDB, else the app's bundled ones (public/input, served as
// input/ beside models/), decoded by the browser (PNG, JPEG, WebP, ...), turned upright by their EXIF orientation.
import type { InputImage, InputImages } from '../../nodes/services.js'
import { inputImageBlob } from '../stores/input-image-db.js'

async function decode(blob: Blob, name: string): Promise<InputImage> {
  let bitmap: ImageBitmap
  try {
    // Raw values, as the CLI reads them: no colour management, no premultiplied alpha.
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' })
  } catch {
    throw new Error(`"${name}": this browser cannot decode it as an image`)
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
    const context = canvas.getContext('2d', { willReadFrequently: true })
    if (!context) throw new Error('no 2D canvas in this worker')
    context.drawImage(bitmap, 0, 0)
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height)
    return { width: pixels.width, height: pixels.height, data: pixels.data }
  } finally {
    bitmap.close()
  }
}

/** `inputBase`: the URL of the app's input/ folder. */
export function browserInputImages(inputBase: string): InputImages {
  return {
    async read(name) {
      const blob = await inputImageBlob(name, inputBase)
      if (!blob) throw new Error(`"${name}": no such image here (drop the image on the canvas, or pick "Upload image…" on this widget)`)
      return decode(blob, name)
    },
  }
}
