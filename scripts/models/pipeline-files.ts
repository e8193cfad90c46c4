// The JSON files of a diffusers/Optimum ONNX Stable Diffusion 1.5 folder (model_index, scheduler, tokenizer configs).

export const MODEL_INDEX = {
  _class_name: 'ORTStableDiffusionPipeline',
  _diffusers_version: '0.27.2',
  feature_extractor: [null, null],
  requires_safety_checker: false,
  safety_checker: [null, null],
  scheduler: ['diffusers', 'PNDMScheduler'],
  text_encoder: ['optimum', 'ORTModelTextEncoder'],
  tokenizer: ['transformers', 'CLIPTokenizer'],
  unet: ['optimum', 'ORTModelUnet'],
  vae_decoder: ['optimum', 'ORTModelVaeDecoder'],
}

/** SD1.5's scheduler config (the "SD base config" every Hyper-SD variant inherits). */
export const SCHEDULER_CONFIG = {
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.27.2',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  clip_sample: false,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  timestep_spacing: 'leading',
  trained_betas: null,
}

const token = (content: string) => ({ content, lstrip: false, normalized: true, rstrip: false, single_word: false })
const addedToken = (content: string) => ({ __type: 'AddedToken', ...token(content) })

export const SPECIAL_TOKENS_MAP = {
  bos_token: token('<|startoftext|>'),
  eos_token: token('<|endoftext|>'),
  pad_token: '<|endoftext|>',
  unk_token: token('<|endoftext|>'),
}

export const TOKENIZER_CONFIG = {
  add_prefix_space: false,
  bos_token: addedToken('<|startoftext|>'),
  do_lower_case: true,
  eos_token: addedToken('<|endoftext|>'),
  errors: 'replace',
  model_max_length: 77,
  name_or_path: 'openai/clip-vit-large-patch14',
  pad_token: '<|endoftext|>',
  special_tokens_file: './special_tokens_map.json',
  tokenizer_class: 'CLIPTokenizer',
  unk_token: addedToken('<|endoftext|>'),
}

export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
