// Input images from the user: files that are images rather than graphs, and the browser's file dialog for one.
import { extractGraphFromPng } from '../graph/png.js'
import { openFileDialog } from './file-dialog.js'

const IMAGE_NAME = /\.(png|jpe?g|webp|gif|bmp|avif)$/i

/**
 * True for an image that carries no graph: such a file becomes a Load Image input, where a PNG with a graph (ours
 * or ComfyUI's) opens as before. A PNG whose graph chunk is damaged counts as a graph, so opening it says what is wrong.
 */
export async function isInputImage(file: File): Promise<boolean> {
  if (!file.type.startsWith('image/') && !IMAGE_NAME.test(file.name)) return false
  if (file.type !== 'image/png' && !/\.png$/i.test(file.name)) return true
  try {
    return extractGraphFromPng(new Uint8Array(await file.arrayBuffer())) === undefined
  } catch {
    return false
  }
}

/** Asks for one image file; resolves null when the dialog is closed without one (or the browser refuses to open it). */
export function chooseImageFile(refused: (reason: string) => void): Promise<File | null> {
  return new Promise((done) => {
    const input = document.createElement('input')
    input.type = 'file'
    input.accept = 'image/*'
    input.dataset['testid'] = 'image-file-input'
    input.addEventListener('change', () => done(input.files?.[0] ?? null), { once: true })
    input.addEventListener('cancel', () => done(null), { once: true })
    openFileDialog(input, (reason) => {
      refused(reason)
      done(null)
    })
  })
}
