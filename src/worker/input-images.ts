// Input images in the browser: uploaded ones from IndexedDB, else the app's bundled ones (public/input, served as
// input/ beside models/), decoded as src/imaging/browser-decode.ts says (PNG exactly as the CLI reads it).
import type { InputImages } from '../../nodes/services.js'
import { decodeImageBlob } from '../imaging/browser-decode.js'
import { inputImageBlob } from '../stores/input-image-db.js'

/** `inputBase`: the URL of the app's input/ folder. */
export function browserInputImages(inputBase: string): InputImages {
  return {
    async read(name) {
      const blob = await inputImageBlob(name, inputBase)
      if (!blob) throw new Error(`"${name}": no such image here (drop the image on the canvas, or pick "Upload image…" on this widget)`)
      return decodeImageBlob(blob, name)
    },
  }
}
