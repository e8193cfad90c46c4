// The real dimensions of SD1.5 (runwayml/stable-diffusion-v1-5) and SDXL base 1.0, from their diffusers config.json
// files, for the full-size twins. Parameter counts these give (tests/models/full-size-twins.test.ts): SD1.5 UNet
// 859.5M, CLIP ViT-L/14 text encoder 123.1M, VAE decoder 49.5M; SDXL UNet 2,567M, OpenCLIP bigG text encoder 694.7M.

import type { SdxlTextEncoderConfig } from '../sdxl/text-encoders.js'
import type { TextEncoderConfig } from '../text-encoder.js'
import type { VaeDecoderConfig } from '../vae-decoder.js'
import type { FullUnetConfig } from './unet.js'

export const SD15_TEXT_ENCODER: TextEncoderConfig = { vocabSize: 49408, maxPositions: 77, hiddenSize: 768, intermediateSize: 3072, layers: 12, heads: 12, eps: 1e-5 }

export const SD15_UNET: FullUnetConfig = {
  inChannels: 4,
  outChannels: 4,
  blockOutChannels: [320, 640, 1280, 1280],
  attentionLevels: [true, true, true, false],
  layersPerBlock: 2,
  transformerDepth: [1, 1, 1, 1],
  headsPerLevel: [8, 8, 8, 8],
  linearProjection: false,
  sampleSize: 64,
  groups: 32,
  resnetEps: 1e-5,
  timeEmbedDim: 1280,
  heads: 8,
  crossAttentionDim: 768,
}

export const VAE_DECODER_FULL: VaeDecoderConfig = {
  latentChannels: 4,
  blockOutChannels: [128, 256, 512, 512],
  layersPerBlock: 2,
  groups: 32,
  scalingFactor: 0.18215,
  sampleSize: 512,
  midAttention: true,
}

export const SDXL_TEXT_ENCODER_FULL: SdxlTextEncoderConfig = { ...SD15_TEXT_ENCODER, activation: 'quick_gelu' }

export const SDXL_TEXT_ENCODER_2_FULL: SdxlTextEncoderConfig = {
  vocabSize: 49408,
  maxPositions: 77,
  hiddenSize: 1280,
  intermediateSize: 5120,
  layers: 32,
  heads: 20,
  eps: 1e-5,
  activation: 'gelu',
  projectionDim: 1280,
}

export const SDXL_UNET_FULL: FullUnetConfig = {
  inChannels: 4,
  outChannels: 4,
  blockOutChannels: [320, 640, 1280],
  attentionLevels: [false, true, true],
  layersPerBlock: 2,
  transformerDepth: [0, 2, 10],
  headsPerLevel: [5, 10, 20],
  linearProjection: true,
  sampleSize: 128,
  groups: 32,
  resnetEps: 1e-5,
  timeEmbedDim: 1280,
  heads: 10,
  crossAttentionDim: 2048,
  sdxl: { addTimeEmbedDim: 256, textEmbedsDim: 1280 },
}

export const SDXL_VAE_DECODER_FULL: VaeDecoderConfig = { ...VAE_DECODER_FULL, scalingFactor: 0.13025, sampleSize: 1024 }
