// The shipped Hyper-SD graphs, built from one template so every variant has the same shape and layout.
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphFileInput } from '../src/graph/schema.js'
import type { LoraMode } from '../src/lora/index.js'
import { hyperSdPresets, hubFileName, type HyperSdPreset } from '../src/hub/presets.js'

export interface GraphVariant {
  readonly file: string
  readonly name: string
  readonly description: string
  readonly model: string
  readonly lora?: { readonly name: string; readonly scale: number; readonly mode: LoraMode }
  /** A full UNet state dict written over the pipeline's UNet (a UNet Weights node), before any LoRA. */
  readonly unetWeights?: string
  readonly steps: number
  readonly scheduler: 'ddim-trailing' | 'tcd' | 'lcm-800' | 'ddim-trailing-cfg' | 'euler-trailing'
  readonly eta: number
  readonly size: number
  readonly timesteps?: string
  /** Adds a scorer between decoding and saving, so saved PNGs carry its score: the aesthetic head, or the shapes caption check. */
  readonly reward?: 'aesthetic' | 'scene'
  readonly prompt?: string
  /** With cfg > 1: the negative prompt, through a second CLIP Text Encode. */
  readonly negativePrompt?: string
  readonly cfg?: number
  /** img2img: a Load Image (an image under public/input) and a VAE Encode replace the Empty Latent. */
  readonly initImage?: {
    readonly name: string
    readonly denoise: number
    /** Inpainting: the image's transparency is the mask (Set Latent Noise Mask). */
    readonly inpaint?: boolean
    /** Outpainting: pixels padded on the right (Pad Image for Outpainting -> VAE Encode (for Inpainting)). */
    readonly outpaintRight?: number
  }
  /** A second pass ("hires fix"): Upscale Latent By, then the same sampler again at this denoise. */
  readonly hires?: { readonly scaleBy: number; readonly denoise: number }
}

const PROMPT = 'a photo of an astronaut riding a horse on mars, highly detailed'

/** What a LoRA preset graph's description ends with: where its two files come from. */
function downloadHint(preset: HyperSdPreset): string {
  return `In the editor: Models → presets → "${preset.title}" downloads both. CLI: hypersd models pull ${preset.base.repo} && hypersd models pull ${preset.file.repo} ${preset.file.path}.`
}

/** A negative prompt for the CFG LoRAs, which (unlike the other variants) honour one. */
const NEGATIVE_PROMPT = 'blurry, low quality, distorted, watermark, text'

/**
 * The real-model graphs for a Hyper-SD LoRA preset: models named as the Hub names them, the scheduler the paper uses.
 * The unified LoRA (the "1step" file) gets one graph at 1 step and one at 4, since it serves 1 to 8 steps.
 */
function loraPresetGraphs(preset: HyperSdPreset): GraphVariant[] {
  const steps = Number(/(\d+)steps?-(?:CFG-)?lora/.exec(preset.file.path)?.[1] ?? NaN)
  const variant = preset.variant === 'sdxl' ? 'sdxl' : 'sd15'
  const family = preset.variant === 'sdxl' ? 'Hyper-SDXL' : 'Hyper-SD15'
  const real = `real ${preset.variant === 'sdxl' ? 'SDXL' : 'SD1.5'}`
  const files = `${preset.base.repo} (ONNX) + ${preset.file.path}`
  const common = {
    model: preset.base.repo,
    lora: { name: hubFileName(preset.file), scale: 1, mode: 'merge' as const },
    size: preset.variant === 'sdxl' ? 1024 : 512,
  }
  if (steps === 1) {
    const unified = (n: 1 | 4, eta: number, timesteps: string, file: string): GraphVariant => ({
      ...common,
      file,
      name: `${family} unified LoRA, ${n} step${n > 1 ? 's' : ''} (TCD, ${real})`,
      description: `Real-model template: ${files}, the unified LoRA (one file for 1 to 8 steps) at ${n} step${n > 1 ? 's' : ''}: TCD, eta (gamma) ${eta}, timestep${n > 1 ? 's' : ''} ${timesteps}, no CFG. ${
        n === 1 ? `For more steps raise steps and lower eta (hyper-${variant}-unified-4step.json: 4 steps, eta 0.5).` : `Lower eta keeps more detail over several steps; use eta 1 for one step (hyper-${variant}-1step.json).`
      } ${downloadHint(preset)}`,
      steps: n,
      scheduler: 'tcd',
      eta,
    })
    return [unified(1, 1, '999', `hyper-${variant}-1step.json`), unified(4, 0.5, '999/759/499/259', `hyper-${variant}-unified-4step.json`)]
  }
  if (preset.file.path.includes('-CFG-lora')) {
    return [
      {
        ...common,
        file: `hyper-${variant}-${steps}step-cfg.json`,
        name: `${family} ${steps}-step CFG LoRA (${real})`,
        description: `Real-model template: ${files}, DDIM trailing, ${steps} steps, classifier-free guidance 5 (the CFG LoRA keeps guidance: 5 to 8) against a negative prompt. ${downloadHint(preset)}`,
        steps,
        scheduler: 'ddim-trailing-cfg',
        eta: 0,
        negativePrompt: NEGATIVE_PROMPT,
        cfg: 5,
      },
    ]
  }
  const plain: GraphVariant = {
    ...common,
    file: `hyper-${variant}-${steps}step.json`,
    name: `${family} ${steps}-step LoRA (${real})`,
    description: `Real-model template: ${files}, DDIM trailing, ${steps} steps, no CFG. ${downloadHint(preset)}`,
    steps,
    scheduler: 'ddim-trailing',
    eta: 0,
  }
  // SD1.5 draws at 512 px; past that, a second pass over the upscaled latent adds detail without repeating the subject.
  const hires: GraphVariant[] =
    variant === 'sd15' && steps === 4
      ? [
          {
            ...plain,
            file: `hyper-${variant}-${steps}step-hires-fix.json`,
            name: `${family} ${steps}-step LoRA, hires fix 512 to 768 px (${real})`,
            description: `Real-model template: ${files}, two passes with the same LoRA and sampler (DDIM trailing, ${steps} steps, no CFG). The first draws 512x512, the size SD1.5 composes at; Upscale Latent By 1.5 (nearest-exact, as ComfyUI's hires-fix example) takes its latent to 768x768; the second pass redraws it at denoise 0.5, i.e. the last 2 of the 4 trailing timesteps (499, 249), which sharpens the detail and keeps the composition (drawn at 768 from noise, SD1.5 tends to repeat its subject). Raise denoise for more new detail, lower it to stay closer to the first pass. ${downloadHint(preset)}`,
            hires: { scaleBy: 1.5, denoise: 0.5 },
          },
        ]
      : []
  return [plain, ...hires]
}
/** The Hyper-SDXL 1-step UNet preset: the SDXL base export with its UNet weights replaced, LCM from t=800. */
function unetPresetGraph(preset: HyperSdPreset): GraphVariant {
  return {
    file: preset.graph,
    name: 'Hyper-SDXL 1-step UNet (real SDXL)',
    description: `Real-model template: ${preset.base.repo} (ONNX) with its UNet weights replaced by ${preset.file.path} (a UNet Weights node), LCM, one step from t=800, no CFG. In the editor: Models → presets → "${preset.title}" downloads both. CLI: hypersd models pull ${preset.base.repo} && hypersd models pull ${preset.file.repo} ${preset.file.path}.`,
    model: preset.base.repo,
    unetWeights: hubFileName(preset.file),
    steps: 1,
    scheduler: 'lcm-800',
    eta: 0,
    size: 1024,
    timesteps: '800',
  }
}
const TINY_LORA = 'loras/tiny-hyper-sd15-4step-kohya.safetensors'

/** The bundled shapes model (trained in training/, 64x64 scenes of one flat shape): its default caption. */
export const SHAPES_PROMPT = 'a large green triangle in the top right on a yellow background'
export const SHAPES_MODEL = 'hyper-shapes'

/** The LoRA each shapes step graph runs: the TSCD LoRA; at 4 steps its fine-tune with the scene reward through the
 * whole sampler chain (stage `refl-4`), at 1 step its continuation with score distillation (stage `dmd-1`), sampled
 * as Hyper-SDXL's 1-step UNet is: LCM, one step from t=800, where an epsilon error costs a third of what it costs at
 * t=999. Both draw better than the TSCD LoRA alone (training/README.md). */
interface ShapesFinalLora {
  readonly lora: string
  readonly story: string
  readonly sampler?: { readonly scheduler: 'lcm-800'; readonly timesteps: string; readonly text: string }
}
const SHAPES_FINAL_LORAS: Readonly<Record<number, ShapesFinalLora>> = {
  1: {
    lora: 'hyper-shapes-1step-dmd',
    story: " (TSCD, then score distillation against the teacher with CFG, Hyper-SD's extra ingredient for one step)",
    sampler: { scheduler: 'lcm-800', timesteps: '800', text: 'LCM, one step from t=800 as for the Hyper-SDXL 1-step UNet' },
  },
  4: { lora: 'hyper-shapes-4step-refl', story: " (TSCD, then fine-tuned with the scene reward, as Hyper-SD's released LoRAs are after human feedback)" },
}

/** All right on the held-out captions (`npm run eval`, seeds 0 to 5) of each graph's LoRA at its own step count, sampled
 * with TCD at eta 1 and with DDIM trailing: on this model TCD is the better sampler for the step LoRAs too. */
const SHAPES_TCD_ADVICE: Readonly<Record<number, readonly [string, string]>> = { 2: ['72.4', '65.4'], 4: ['90.1', '84.1'], 8: ['92.2', '74.5'] }
const tcdAdvice = (steps: number): string => {
  const figures = SHAPES_TCD_ADVICE[steps]
  return figures
    ? ` For this model, TCD with eta 1 draws better (${figures[0]}% all right on held-out captions against ${figures[1]}% with DDIM trailing, npm run eval): set the sampler's scheduler to tcd and its eta to 1.`
    : ''
}

/** The shapes workflows: every one ends in a Scene Score that checks the image against its own prompt. */
const SHAPES_VARIANTS: readonly GraphVariant[] = [
  ...([1, 2, 4, 8] as const).map((steps): GraphVariant => {
    const final = SHAPES_FINAL_LORAS[steps]
    const sampler = final?.sampler
    return {
      file: `shapes-${steps}step.json`,
      name: `Hyper-Shapes ${steps}-step LoRA`,
      description: `The bundled shapes model with its ${steps}-step Hyper-SD LoRA${final?.story ?? ''}: ${sampler?.text ?? `DDIM trailing, ${steps} step${steps > 1 ? 's' : ''}`}, no CFG.${tcdAdvice(steps)} Scene Score checks the image against the prompt (grammar: "a {size} {colour} {shape} {position} on a {background} background", any part of it).`,
      model: SHAPES_MODEL,
      lora: { name: `loras/${final?.lora ?? `hyper-shapes-${steps}step`}.safetensors`, scale: 1, mode: 'live' },
      steps,
      scheduler: sampler?.scheduler ?? 'ddim-trailing',
      ...(sampler ? { timesteps: sampler.timesteps } : {}),
      eta: 0,
      size: 64,
      prompt: SHAPES_PROMPT,
      reward: 'scene',
    }
  }),
  {
    file: 'shapes-unified-tcd.json',
    name: 'Hyper-Shapes unified LoRA, 4 steps (TCD)',
    description: 'The bundled shapes model with its unified Hyper-SD LoRA (one LoRA for 1 to 8 steps): TCD, 4 steps, eta (gamma) 0.5. For one step, this model draws better with the scheduler set to lcm-800 (one step from t=800, as the Hyper-SDXL 1-step UNet is sampled): 53.6% all right on held-out captions against 37.0% with TCD (npm run eval, seeds 0 to 5). Scene Score checks the image against the prompt.',
    model: SHAPES_MODEL,
    lora: { name: 'loras/hyper-shapes-unified.safetensors', scale: 1, mode: 'live' },
    steps: 4,
    scheduler: 'tcd',
    eta: 0.5,
    size: 64,
    prompt: SHAPES_PROMPT,
    reward: 'scene',
  },
  {
    file: 'shapes-img2img.json',
    name: 'Hyper-Shapes img2img, 4 steps (sketch to picture)',
    description: 'img2img on the bundled shapes model: Load Image reads a rough sketch (public/input/shapes-sketch.png: a wobbly red blob on a blotchy blue ground), VAE Encode turns it into latents, and the sampler redraws it with the 4-step LoRA from part-way down the schedule: denoise 0.5 runs the last 2 of the 4 DDIM trailing steps (t = 499, 249), as diffusers\' img2img does at strength 0.5. Lower denoise keeps more of the sketch, higher follows the prompt more (at 1 the sketch still steers the layout). Drop your own image on the canvas to use it instead. Scene Score checks the picture against the prompt.',
    model: SHAPES_MODEL,
    lora: { name: 'loras/hyper-shapes-4step-refl.safetensors', scale: 1, mode: 'live' },
    steps: 4,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 64,
    prompt: 'a large red circle in the middle on a blue background',
    reward: 'scene',
    initImage: { name: 'shapes-sketch.png', denoise: 0.5 },
  },
  {
    file: 'shapes-inpaint.json',
    name: 'Hyper-Shapes inpainting, 4 steps (redraw the masked area)',
    description: "Inpainting on the bundled shapes model: Load Image reads a picture whose middle is transparent (public/input/shapes-inpaint.png: a red circle on blue, its middle square erased), Set Latent Noise Mask takes that transparency as the mask, and the sampler redraws only the masked area from pure noise with the 4-step LoRA while the blue around it is kept, noised to each step's level, as diffusers' inpainting pipeline does with an ordinary UNet. Change the prompt's colour or shape to draw something else there. To mask your own image, erase the area to repaint in an image editor (transparent pixels are repainted), or use Load Image (as Mask) with a black-and-white mask. Scene Score checks the picture against the prompt.",
    model: SHAPES_MODEL,
    lora: { name: 'loras/hyper-shapes-4step-refl.safetensors', scale: 1, mode: 'live' },
    steps: 4,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 64,
    prompt: 'a large yellow square in the middle on a blue background',
    reward: 'scene',
    initImage: { name: 'shapes-inpaint.png', denoise: 1, inpaint: true },
  },
  {
    file: 'shapes-outpaint.json',
    name: 'Hyper-Shapes outpainting, 4 steps (extend the picture)',
    description: "Outpainting on the bundled shapes model: Load Image reads the left 40 px of a picture (public/input/shapes-outpaint.png: a red circle on blue, cut through), Pad Image for Outpainting adds 24 grey pixels on the right and the mask that repaints them (feathered 8 px into the picture), VAE Encode (for Inpainting) encodes the padded picture with the mask's area greyed, and the sampler draws the rest of the picture from pure noise with the 4-step LoRA, keeping what was there. Scene Score checks the whole picture against the prompt.",
    model: SHAPES_MODEL,
    lora: { name: 'loras/hyper-shapes-4step-refl.safetensors', scale: 1, mode: 'live' },
    steps: 4,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 64,
    prompt: 'a large red circle in the middle on a blue background',
    reward: 'scene',
    initImage: { name: 'shapes-outpaint.png', denoise: 1, outpaintRight: 24 },
  },
  {
    file: 'shapes-teacher.json',
    name: 'Hyper-Shapes teacher, 25 steps (DDIM, CFG 2.5)',
    description: 'The bundled shapes model without a LoRA, sampled as the teacher: DDIM trailing, 25 steps, classifier-free guidance 2.5 (the scale the step LoRAs were distilled with; at 4 small objects come out large) against an empty negative prompt. For its best pictures set the scheduler to ddpm-trailing-cfg (fresh noise at every step) and cfg to 3.5: 95.3% all right on held-out captions at 25 steps against 84.4% with this DDIM (npm run eval, 128 images). Scene Score checks the image against the prompt.',
    model: SHAPES_MODEL,
    steps: 25,
    scheduler: 'ddim-trailing-cfg',
    eta: 0,
    size: 64,
    prompt: SHAPES_PROMPT,
    negativePrompt: '',
    cfg: 2.5,
    reward: 'scene',
  },
]

export const GRAPH_VARIANTS: readonly GraphVariant[] = [
  {
    file: 'tiny-sd15-4step.json',
    name: 'Tiny SD1.5, 4 steps (DDIM trailing)',
    description: 'The tiny random-weight SD1.5-architecture twin (a structural test model) with the Hyper-SD 4-step schedule (DDIM, trailing timesteps 999/749/499/249, no CFG).',
    model: 'tiny-sd15',
    steps: 4,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 256,
  },
  {
    file: 'tiny-sd15-lora-4step.json',
    name: 'Tiny SD1.5 + LoRA, 4 steps',
    description: 'tiny-sd15-4step.json plus a UNet + LoRA node carrying the tiny kohya-format Hyper-SD stand-in LoRA (live scale: drag the scale, no session rebuild). Scale 0 gives the plain graph\'s image exactly.',
    model: 'tiny-sd15',
    lora: { name: TINY_LORA, scale: 1, mode: 'live' },
    steps: 4,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 256,
  },
  {
    file: 'tiny-sd15-4step-reward.json',
    name: 'Tiny SD1.5, 4 steps + reward score',
    description: 'tiny-sd15-4step.json with a Reward Score (aesthetic) node between decoding and saving: the LAION aesthetic head on CLIP image embeddings (the bundled tiny vision tower; point vision_model at a CLIP ViT-L/14 export for meaningful scores). Saved PNGs carry aesthetic_score.',
    model: 'tiny-sd15',
    steps: 4,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 256,
    reward: 'aesthetic',
  },
  {
    file: 'tiny-sd15-1step.json',
    name: 'Tiny SD1.5 + LoRA, 1 step (TCD)',
    description: 'The unified 1-step workflow: TCD scheduler, eta (gamma) 1, timestep 999.',
    model: 'tiny-sd15',
    lora: { name: TINY_LORA, scale: 1, mode: 'live' },
    steps: 1,
    scheduler: 'tcd',
    eta: 1,
    size: 256,
  },
  {
    file: 'tiny-sd15-2step.json',
    name: 'Tiny SD1.5 + LoRA, 2 steps (DDIM trailing)',
    description: 'The 2-step workflow: DDIM with trailing timesteps 999/499.',
    model: 'tiny-sd15',
    lora: { name: TINY_LORA, scale: 1, mode: 'live' },
    steps: 2,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 256,
  },
  {
    file: 'tiny-sd15-8step.json',
    name: 'Tiny SD1.5 + LoRA, 8 steps (DDIM trailing)',
    description: 'The 8-step workflow: DDIM with trailing timesteps 999, 874, ..., 124.',
    model: 'tiny-sd15',
    lora: { name: TINY_LORA, scale: 1, mode: 'live' },
    steps: 8,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 256,
  },
  {
    file: 'tiny-sdxl-4step.json',
    name: 'Tiny SDXL, 4 steps (DDIM trailing)',
    description: 'The bundled tiny SDXL-architecture model (two text encoders, pooled text_embeds and time_ids) with the Hyper-SD 4-step schedule (DDIM, trailing timesteps 999/749/499/249, no CFG).',
    model: 'tiny-sdxl',
    steps: 4,
    scheduler: 'ddim-trailing',
    eta: 0,
    size: 256,
  },
  {
    file: 'tiny-sdxl-lcm-1step.json',
    name: 'Tiny SDXL, 1 step (LCM from t=800)',
    description: 'The Hyper-SDXL 1-step UNet workflow on the bundled tiny SDXL-architecture model: LCM, one step from t=800.',
    model: 'tiny-sdxl',
    steps: 1,
    scheduler: 'lcm-800',
    eta: 0,
    size: 256,
    timesteps: '800',
  },
  ...hyperSdPresets().filter((preset) => preset.file.path.includes('-lora')).flatMap(loraPresetGraphs),
  ...hyperSdPresets().filter((preset) => preset.file.path.endsWith('-Unet.safetensors')).map(unetPresetGraph),
  ...SHAPES_VARIANTS,
]

export function buildGraph(v: GraphVariant): GraphFileInput {
  const link = (node: string, output: string) => ({ from: [node, output] as [string, string] })
  const pipelineUnet = v.unetWeights ? link('11', 'unet') : link('1', 'unet')
  const unetSource = v.lora ? link('9', 'unet') : pipelineUnet
  // A LoRA below the weights node pushes the note down.
  const below = v.unetWeights && v.lora ? 150 : 0
  const clipSource = v.lora ? link('9', 'clip') : link('1', 'clip')
  const x = (col: number) => 40 + col * 380
  const samplerInputs = {
    model: unetSource,
    positive: link('2', 'conditioning'),
    ...(v.negativePrompt !== undefined ? { negative: link('10', 'conditioning') } : {}),
    latent: v.initImage ? link(v.initImage.inpaint ? '13' : '12', 'latent') : link('3', 'latent'),
    steps: v.steps,
    scheduler: v.scheduler,
    eta: v.eta,
    cfg: v.cfg ?? 1,
    guidance_rescale: 0,
    seed: 42,
    denoise: v.initImage?.denoise ?? 1,
    timesteps: v.timesteps ?? '',
    sigmas: '',
  }
  // With a second pass, decoding and saving move one column right.
  const last = v.hires ? 4 : 3
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes: [
      { id: '1', type: 'LoadPipeline', title: 'Load Pipeline', inputs: { model: v.model } },
      ...(v.unetWeights ? [{ id: '11', type: 'UNetWeights', title: 'Hyper-SD UNet', inputs: { unet: link('1', 'unet'), weights: v.unetWeights } }] : []),
      ...(v.lora
        ? [{ id: '9', type: 'UNetLoRA', title: 'Hyper-SD LoRA', inputs: { unet: pipelineUnet, clip: link('1', 'clip'), lora: v.lora.name, scale: v.lora.scale, mode: v.lora.mode } }]
        : []),
      { id: '2', type: 'CLIPTextEncode', version: 2, title: 'Prompt', inputs: { clip: clipSource, text: v.prompt ?? PROMPT, syntax: 'comfyui' } },
      ...(v.negativePrompt !== undefined ? [{ id: '10', type: 'CLIPTextEncode', version: 2, title: 'Negative prompt', inputs: { clip: clipSource, text: v.negativePrompt, syntax: 'comfyui' } }] : []),
      ...(v.initImage
        ? [
            { id: '3', type: 'LoadImage', title: 'Load Image', inputs: { image: v.initImage.name } },
            ...(v.initImage.outpaintRight
              ? [
                  { id: '14', type: 'ImagePadForOutpaint', title: 'Pad Image for Outpainting', inputs: { image: link('3', 'image'), left: 0, top: 0, right: v.initImage.outpaintRight, bottom: 0, feathering: 8 } },
                  { id: '12', type: 'VAEEncodeForInpaint', inputs: { vae: link('1', 'vae'), image: link('14', 'image'), mask: link('14', 'mask'), grow_mask_by: 8 } },
                ]
              : [{ id: '12', type: 'VAEEncode', inputs: { vae: link('1', 'vae'), image: link('3', 'image') } }]),
            // Inpainting: the image's transparent pixels are what the sampler redraws.
            ...(v.initImage.inpaint ? [{ id: '13', type: 'SetLatentNoiseMask', inputs: { samples: link('12', 'latent'), mask: link('3', 'mask') } }] : []),
          ]
        : [{ id: '3', type: 'EmptyLatent', inputs: { width: v.size, height: v.size, batch: 1 } }]),
      { id: '4', type: 'TSCDSampler', ...(v.hires ? { title: 'First pass' } : {}), inputs: samplerInputs },
      // The second pass: the same sampler over the upscaled latent, part-way down the schedule.
      ...(v.hires
        ? [
            { id: '15', type: 'LatentUpscaleBy', inputs: { samples: link('4', 'latent'), method: 'nearest-exact', scale_by: v.hires.scaleBy } },
            { id: '16', type: 'TSCDSampler', title: 'Second pass', inputs: { ...samplerInputs, latent: link('15', 'latent'), denoise: v.hires.denoise } },
          ]
        : []),
      { id: '5', type: 'VAEDecode', inputs: { vae: link('1', 'vae'), latent: link(v.hires ? '16' : '4', 'latent'), tiling: 'auto', tile_norm: 'per-tile', tile_size: 512, tile_overlap: 128 } },
      ...(v.reward === 'aesthetic'
        ? [{ id: '8', type: 'AestheticScore', title: 'Reward Score', inputs: { image: link('5', 'image'), vision_model: 'tiny-clip-vision', head: 'aesthetic/aesthetic-mlp-l14.safetensors' } }]
        : []),
      // An empty caption checks each image against the prompt it was generated from, so editing the prompt is enough.
      ...(v.reward === 'scene' ? [{ id: '8', type: 'SceneScore', title: 'Scene Score', inputs: { image: link('5', 'image'), caption: '' } }] : []),
      { id: '6', type: 'SaveImage', inputs: { image: v.reward ? link('8', 'image') : link('5', 'image'), filename_prefix: v.file.replace(/\.json$/, '') } },
      { id: '7', type: 'Note', title: 'About this graph', inputs: { text: `${v.name}\n\n${v.description}` } },
    ],
    layout: {
      nodes: {
        '1': { pos: [x(0), 80], size: [320, 110] },
        ...(v.unetWeights ? { '11': { pos: [x(0), 240], size: [320, 110] } } : {}),
        ...(v.lora ? { '9': { pos: [x(0), 240 + below], size: [320, 170] } } : {}),
        '2': { pos: [x(1), 80], size: [340, v.negativePrompt !== undefined ? 110 : 200] },
        ...(v.negativePrompt !== undefined ? { '10': { pos: [x(1), 225], size: [340, 60] } } : {}),
        // Below the negative prompt, which opens taller than its stored size (a prompt box's minimum height).
        // Load Image shows its image below its widget.
        '3': { pos: [x(1), v.negativePrompt !== undefined ? 380 : 320], size: [340, v.initImage ? 220 : 130] },
        ...(v.initImage ? { '12': { pos: [x(2), 520], size: [340, 60] } } : {}),
        ...(v.initImage?.inpaint ? { '13': { pos: [x(2), 650], size: [340, 60] } } : {}),
        ...(v.initImage?.outpaintRight ? { '14': { pos: [x(1), 580], size: [340, 150] } } : {}),
        '4': { pos: [x(2), 80], size: [340, 400], controls: { seed: 'fixed' } },
        ...(v.hires ? { '15': { pos: [x(3), 80], size: [300, 80] }, '16': { pos: [x(3), 200], size: [340, 400], controls: { seed: 'fixed' } } } : {}),
        '5': { pos: [x(last), 80], size: [260, 80] },
        // The scene scorer draws its per-attribute report below its widget, and a 64 px image needs little room.
        ...(v.reward ? { '8': { pos: [x(last), 200], size: [300, v.reward === 'scene' ? 200 : 130] } } : {}),
        // Below Scene Score, which opens 250 high (11 sockets and its caption widget).
        '6': v.reward === 'scene' ? { pos: [x(last), 500], size: [360, 220] } : { pos: [x(last), v.reward ? 370 : 200], size: [360, 420] },
        '7': { pos: [x(0), 460 + below], size: [320, 200] },
      },
      groups: [{ title: v.name, bounding: [x(0) - 20, 20, (last + 1) * 380 + 20, 660 + below + (v.reward === 'scene' ? 50 : 0)], color: '#3f789e' }],
      viewport: { offset: [0, 0], scale: 0.8 },
    },
    metadata: { name: v.name, description: v.description },
  }
}
