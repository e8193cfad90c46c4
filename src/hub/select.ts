// Which files of a repository a pipeline needs: the ONNX export and its configs, not the PyTorch, Flax or
// checkpoint weights that many repositories keep beside it (they would multiply the download).
import type { RepoFile } from './listing.js'

/** The pipeline components this product runs (the VAE encoder and safety checker are never used). */
const PIPELINE_COMPONENTS = new Set(['text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2', 'unet', 'vae_decoder', 'scheduler'])

const ONNX_WEIGHTS = /(\.onnx|\.onnx_data|\.onnx\.data|\.onnx_data_\d+|^weights\.pb)$/i
const CONFIG_OR_TOKENIZER = /(\.json|\.txt|\.model)$/i

function relativeTo(path: string, subfolder: string | undefined): string | undefined {
  if (!subfolder) return path
  return path.startsWith(`${subfolder}/`) ? path.slice(subfolder.length + 1) : undefined
}

function wanted(relative: string, isPipeline: boolean): boolean {
  const parts = relative.split('/')
  const name = parts[parts.length - 1]!
  if (parts.length === 1) return isPipeline ? name === 'model_index.json' : ONNX_WEIGHTS.test(name) || CONFIG_OR_TOKENIZER.test(name)
  if (parts.length !== 2) return false
  if (isPipeline && !PIPELINE_COMPONENTS.has(parts[0]!)) return false
  return ONNX_WEIGHTS.test(name) || CONFIG_OR_TOKENIZER.test(name)
}

/**
 * The files to fetch for the ONNX pipeline in `subfolder` (or the repository root): model_index.json and, in the
 * components the product runs, the ONNX files, their external data and the configs and tokenizer files. A folder
 * without model_index.json (a single exported model, e.g. CLIP vision) gets its ONNX files and configs.
 */
export function selectPipelineFiles(files: readonly RepoFile[], subfolder?: string): RepoFile[] {
  const inFolder = files.flatMap((file) => {
    const relative = relativeTo(file.path, subfolder)
    return relative === undefined ? [] : [{ file, relative }]
  })
  const isPipeline = inFolder.some((f) => f.relative === 'model_index.json')
  return inFolder.filter((f) => wanted(f.relative, isPipeline)).map((f) => f.file)
}

/** Whether the selection holds something to run (an .onnx file), so a PyTorch-only repository fails early. */
export function hasOnnxModel(files: readonly RepoFile[]): boolean {
  return files.some((f) => /\.onnx$/i.test(f.path))
}
