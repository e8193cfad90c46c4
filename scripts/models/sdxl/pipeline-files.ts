// The JSON files of an Optimum ORTStableDiffusionXLPipeline folder (model_index, scheduler, tokenizer configs).
import { SPECIAL_TOKENS_MAP, TOKENIZER_CONFIG } from '../pipeline-files.js'

export const SDXL_MODEL_INDEX = {
  _class_name: 'ORTStableDiffusionXLPipeline',
  _diffusers_version: '0.27.2',
  feature_extractor: [null, null],
  force_zeros_for_empty_prompt: true,
  image_encoder: [null, null],
  scheduler: ['diffusers', 'EulerDiscreteScheduler'],
  text_encoder: ['optimum', 'ORTModelTextEncoder'],
  text_encoder_2: ['optimum', 'ORTModelTextEncoder'],
  tokenizer: ['transformers', 'CLIPTokenizer'],
  tokenizer_2: ['transformers', 'CLIPTokenizer'],
  unet: ['optimum', 'ORTModelUnet'],
  vae_decoder: ['optimum', 'ORTModelVaeDecoder'],
}

/** stable-diffusion-xl-base-1.0's scheduler config. */
export const SDXL_SCHEDULER_CONFIG = {
  _class_name: 'EulerDiscreteScheduler',
  _diffusers_version: '0.27.2',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  clip_sample: false,
  interpolation_type: 'linear',
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  sample_max_value: 1.0,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  timestep_spacing: 'leading',
  trained_betas: null,
  use_karras_sigmas: false,
}

const bigG = 'laion/CLIP-ViT-bigG-14-laion2B-39B-b160k'

/** tokenizer_2 is the same BPE as tokenizer/ but pads with "!" (id 0), as SDXL's OpenCLIP tokenizer does. */
export const TOKENIZER_2_CONFIG = { ...TOKENIZER_CONFIG, name_or_path: bigG, pad_token: '!' }
export const SPECIAL_TOKENS_MAP_2 = { ...SPECIAL_TOKENS_MAP, pad_token: '!' }
