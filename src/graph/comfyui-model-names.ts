// ComfyUI model file names -> the names our loaders use. ComfyUI loads single files (a checkpoint, a UNet, a CLIP, a
// VAE) from its models/ folders; our loaders read a whole ONNX pipeline folder, plus optional UNet weights and LoRAs.
import type { ComfyDocument, ComfyNode } from './comfyui-read.js'

export const SDXL_BASE_PIPELINE = 'stabilityai/stable-diffusion-xl-base-1.0'
/** The Hyper-SDXL 1-step UNet in the diffusers layout (what UNet Weights reads), as the Hub names it. */
export const HYPER_SDXL_UNET_WEIGHTS = 'ByteDance/Hyper-SD/Hyper-SDXL-1step-Unet.safetensors'

const SINGLE_FILE = /\.(safetensors|ckpt|pt|pth|bin|sft)$/i
// Hyper-SD ships this UNet twice: "-Comfyui.fp16" (a whole SDXL checkpoint in ComfyUI's layout) and the diffusers one.
const HYPER_SDXL_UNET_FILE = /^Hyper-SDXL-1step-Unet(-Comfyui)?(\.fp16)?\.safetensors$/i

/** ComfyUI names may hold Windows subfolder separators. */
export function normalizePath(name: string): string {
  return name.replace(/\\/g, '/')
}

export function isSingleFile(name: string): boolean {
  return SINGLE_FILE.test(name)
}

/** The name without its file extension: what a model folder converted from that file is called here. */
export function fileStem(name: string): string {
  return normalizePath(name).replace(SINGLE_FILE, '')
}

export function isHyperSdxlUnet(name: string): boolean {
  return HYPER_SDXL_UNET_FILE.test(normalizePath(name).split('/').pop() ?? '')
}

export interface CheckpointPipeline {
  /** Our pipeline name (an ONNX export folder, resolved by the host). */
  readonly model: string
  /** UNet weights written over the pipeline's UNet, for checkpoints that are a known UNet on a known base. */
  readonly unetWeights?: string
}

/** Our pipeline for a ComfyUI checkpoint file. */
export function checkpointPipeline(ckptName: string): CheckpointPipeline {
  if (isHyperSdxlUnet(ckptName)) return { model: SDXL_BASE_PIPELINE, unetWeights: HYPER_SDXL_UNET_WEIGHTS }
  return { model: fileStem(ckptName) }
}

const CHECKPOINT_LOADERS = new Set(['CheckpointLoaderSimple'])

function isActive(node: ComfyNode): boolean {
  return node.mode !== 2 && node.mode !== 4
}

function textWidget(node: ComfyNode, name: string): string | undefined {
  const value = Object.hasOwn(node.widgets, name) ? node.widgets[name] : undefined
  return typeof value === 'string' ? value : undefined
}

/** The first active checkpoint loader of the workflow that names a checkpoint. */
export function workflowCheckpoint(doc: ComfyDocument): ComfyNode | undefined {
  for (const node of doc.nodes.values()) {
    if (CHECKPOINT_LOADERS.has(node.type) && isActive(node) && textWidget(node, 'ckpt_name') !== undefined) return node
  }
  return undefined
}

/**
 * The pipeline the workflow's separately loaded parts (UNet, CLIP, VAE) belong to: its checkpoint's, else SDXL base
 * when a part says SDXL (the Hyper-SDXL UNet, a DualCLIPLoader of type sdxl); undefined when nothing says.
 */
export function workflowPipeline(doc: ComfyDocument): { readonly model: string; readonly node: ComfyNode } | undefined {
  const checkpoint = workflowCheckpoint(doc)
  if (checkpoint) return { model: checkpointPipeline(textWidget(checkpoint, 'ckpt_name')!).model, node: checkpoint }
  for (const node of doc.nodes.values()) {
    if (!isActive(node)) continue
    const unet = node.type === 'UNETLoader' ? textWidget(node, 'unet_name') : undefined
    if (unet !== undefined && isHyperSdxlUnet(unet)) return { model: SDXL_BASE_PIPELINE, node }
    if (node.type === 'DualCLIPLoader' && (textWidget(node, 'type') ?? 'sdxl') === 'sdxl') return { model: SDXL_BASE_PIPELINE, node }
  }
  return undefined
}
