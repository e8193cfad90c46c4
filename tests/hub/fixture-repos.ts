// Hub repos built from the project's tiny models, shaped like the real ones a user downloads:
// an Optimum/diffusers ONNX export (next to PyTorch weights a pipeline download must skip), and a LoRA repo.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { HubFile, HubRepo } from './mock-hub.js'

const MODELS_DIR = join(import.meta.dirname, '..', '..', 'public', 'models')

/** PyTorch weights of a real SD repo, with sizes; a pipeline download that fetches any of them wastes gigabytes. */
const PYTORCH_DECOYS: readonly { readonly path: string; readonly size: number }[] = [
  { path: 'unet/diffusion_pytorch_model.safetensors', size: 384 * 1024 },
  { path: 'text_encoder/model.safetensors', size: 256 * 1024 },
  { path: 'vae_decoder/diffusion_pytorch_model.bin', size: 192 * 1024 },
  { path: 'v1-5-pruned.ckpt', size: 320 * 1024 },
]

const folderCache = new Map<string, readonly HubFile[]>()

/** Every file under public/models/<folder>, with paths relative to it (read once per process). */
function readModelFolder(folder: string): readonly HubFile[] {
  const cached = folderCache.get(folder)
  if (cached) return cached
  const root = join(MODELS_DIR, folder)
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const absolute = join(entry.parentPath, entry.name)
      return { path: relative(root, absolute).split(sep).join('/'), bytes: new Uint8Array(readFileSync(absolute)) }
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1))
  folderCache.set(folder, files)
  return files
}

/** Deterministic bytes that do not compress (xorshift32 seeded from the name), so each decoy has its own hash. */
export function pseudoRandomBytes(seedText: string, size: number): Uint8Array {
  let state = 2166136261
  for (const char of seedText) state = Math.imul(state ^ char.charCodeAt(0), 16777619) >>> 0
  state ||= 1
  const bytes = new Uint8Array(size)
  for (let index = 0; index < size; index++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    bytes[index] = state & 0xff
  }
  return bytes
}

function readme(id: string, body: string): HubFile {
  const text = `---\nlicense: openrail++\nlibrary_name: diffusers\ntags:\n- stable-diffusion\n- onnx\n---\n\n# ${id}\n\n${body}\n`
  return { path: 'README.md', bytes: new TextEncoder().encode(text) }
}

function onnxExportRepo(id: string, revision: string | undefined, folder: string): HubRepo {
  const decoys = PYTORCH_DECOYS.map(({ path, size }) => ({ path, bytes: pseudoRandomBytes(`${folder}/${path}`, size) }))
  const files = [...readModelFolder(folder), ...decoys, readme(id, `ONNX export (Optimum) of ${folder}, for tests.`)]
  return { id, ...(revision === undefined ? {} : { revision }), files }
}

/** An Optimum/diffusers ONNX export of SD1.5 as a Hub repo, built from public/models/tiny-sd15, plus PyTorch files a pipeline download must NOT fetch and a README.md. */
export function sd15OnnxRepo(id: string, revision?: string): HubRepo {
  return onnxExportRepo(id, revision, 'tiny-sd15')
}

/** Same for public/models/tiny-sdxl. */
export function sdxlOnnxRepo(id: string, revision?: string): HubRepo {
  return onnxExportRepo(id, revision, 'tiny-sdxl')
}

/** A LoRA repo like ByteDance/Hyper-SD: each entry maps a file name in the repo to a file of the project (path relative to public/models), plus a README.md. */
export function loraRepo(id: string, files: Readonly<Record<string, string>>): HubRepo {
  const loras = Object.entries(files).map(([path, projectPath]) => ({
    path,
    bytes: new Uint8Array(readFileSync(join(MODELS_DIR, projectPath))),
  }))
  return { id, files: [...loras, readme(id, 'LoRA weights for few-step sampling, for tests.')] }
}
