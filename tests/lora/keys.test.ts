import { describe, expect, it } from 'vitest'
import { classifyStem, parseLoraKeys } from '../../src/lora/keys.js'
import { sgmToDiffusers } from '../../src/lora/sgm.js'

const target = (stem: string) => classifyStem(stem)

describe('LoRA key mapping', () => {
  it('groups kohya keys into modules with down, up and alpha', () => {
    const parsed = parseLoraKeys([
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight',
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight',
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.alpha',
      'lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight',
      'lora_unet_mid_block_resnets_0_conv1.lora_mid.weight',
      'something_else',
    ])
    expect(parsed.unrecognised).toEqual(['something_else'])
    const [q, te, mid] = parsed.modules
    expect(q).toMatchObject({
      component: 'unet',
      target: 'down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q',
      down: 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight',
      up: 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight',
      alpha: 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.alpha',
    })
    expect(te).toMatchObject({ component: 'te1', target: 'text_model_encoder_layers_0_self_attn_q_proj' })
    expect(mid!.unsupported).toEqual(['lora_unet_mid_block_resnets_0_conv1.lora_mid.weight'])
  })

  it('reads PEFT, diffusers and the older attention-processor names', () => {
    const parsed = parseLoraKeys([
      'unet.up_blocks.1.attentions.2.transformer_blocks.0.attn2.to_out.0.lora_A.weight',
      'unet.up_blocks.1.attentions.2.transformer_blocks.0.attn2.to_out.0.lora_B.weight',
      'base_model.model.down_blocks.1.attentions.0.proj_in.lora_A.default.weight',
      'text_encoder.text_model.encoder.layers.3.mlp.fc1.lora.down.weight',
      'text_encoder_2.text_model.encoder.layers.3.mlp.fc1.lora.up.weight',
      'down_blocks.0.attentions.1.transformer_blocks.0.attn1.processor.to_out_lora.down.weight',
      'unet.mid_block.attentions.0.transformer_blocks.0.attn2.processor.to_k_lora.up.weight',
    ])
    expect(parsed.unrecognised).toEqual([])
    expect(parsed.modules.map((m) => [m.component, m.target])).toEqual([
      ['unet', 'up_blocks_1_attentions_2_transformer_blocks_0_attn2_to_out_0'],
      ['unet', 'down_blocks_1_attentions_0_proj_in'],
      ['te1', 'text_model_encoder_layers_3_mlp_fc1'],
      ['te2', 'text_model_encoder_layers_3_mlp_fc1'],
      ['unet', 'down_blocks_0_attentions_1_transformer_blocks_0_attn1_to_out_0'],
      ['unet', 'mid_block_attentions_0_transformer_blocks_0_attn2_to_k'],
    ])
    expect(parsed.modules[0]!.down).toMatch(/lora_A\.weight$/)
    expect(parsed.modules[0]!.up).toMatch(/lora_B\.weight$/)
  })

  it('names the text encoders of kohya SDXL files', () => {
    expect(target('lora_te1_text_model_encoder_layers_11_mlp_fc2')).toEqual({ component: 'te1', target: 'text_model_encoder_layers_11_mlp_fc2' })
    expect(target('lora_te2_text_model_encoder_layers_31_self_attn_out_proj')).toEqual({
      component: 'te2',
      target: 'text_model_encoder_layers_31_self_attn_out_proj',
    })
  })

  it('leaves other architectures without a component', () => {
    expect(target('base_model.model.model.layers.0.self_attn.q_proj').component).toBeUndefined()
    expect(target('transformer.single_transformer_blocks.0.attn.to_q').component).toBeUndefined()
  })
})

describe('SGM (SDXL) block names', () => {
  // SDXL: levels 0..2, two resnets each, attention at levels 1 and 2 (down) / 0 and 1 (up), transformer depth 2/10.
  const cases: [string, string][] = [
    ['input_blocks_0_0', 'conv_in'],
    ['input_blocks_1_0_in_layers_2', 'down_blocks_0_resnets_0_conv1'],
    ['input_blocks_2_0_out_layers_3', 'down_blocks_0_resnets_1_conv2'],
    ['input_blocks_3_0_op', 'down_blocks_0_downsamplers_0_conv'],
    ['input_blocks_4_0_skip_connection', 'down_blocks_1_resnets_0_conv_shortcut'],
    ['input_blocks_4_0_emb_layers_1', 'down_blocks_1_resnets_0_time_emb_proj'],
    ['input_blocks_4_1_transformer_blocks_0_attn1_to_q', 'down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q'],
    ['input_blocks_5_1_proj_in', 'down_blocks_1_attentions_1_proj_in'],
    ['input_blocks_6_0_op', 'down_blocks_1_downsamplers_0_conv'],
    ['input_blocks_8_1_transformer_blocks_9_ff_net_0_proj', 'down_blocks_2_attentions_1_transformer_blocks_9_ff_net_0_proj'],
    ['middle_block_0_in_layers_2', 'mid_block_resnets_0_conv1'],
    ['middle_block_1_transformer_blocks_3_attn2_to_k', 'mid_block_attentions_0_transformer_blocks_3_attn2_to_k'],
    ['middle_block_2_out_layers_3', 'mid_block_resnets_1_conv2'],
    ['output_blocks_0_0_skip_connection', 'up_blocks_0_resnets_0_conv_shortcut'],
    ['output_blocks_0_1_transformer_blocks_0_attn1_to_out_0', 'up_blocks_0_attentions_0_transformer_blocks_0_attn1_to_out_0'],
    ['output_blocks_2_1_proj_out', 'up_blocks_0_attentions_2_proj_out'],
    ['output_blocks_2_2_conv', 'up_blocks_0_upsamplers_0_conv'],
    ['output_blocks_5_2_conv', 'up_blocks_1_upsamplers_0_conv'],
    ['output_blocks_8_0_in_layers_2', 'up_blocks_2_resnets_2_conv1'],
    ['time_embed_0', 'time_embedding_linear_1'],
    ['time_embed_2', 'time_embedding_linear_2'],
    ['label_emb_0_0', 'add_embedding_linear_1'],
    ['label_emb_0_2', 'add_embedding_linear_2'],
    ['out_2', 'conv_out'],
  ]
  it.each(cases)('%s -> %s', (sgm, diffusers) => {
    expect(sgmToDiffusers(sgm)).toBe(diffusers)
    expect(classifyStem(`lora_unet_${sgm}`)).toEqual({ component: 'unet', target: diffusers })
  })

  it('maps SD1.5 upsamplers of levels without attention (part 1)', () => {
    // SD1.5's up_blocks.0 has no attention: its upsampler is output_blocks_2_1.
    expect(sgmToDiffusers('output_blocks_2_1_conv')).toBe('up_blocks_0_upsamplers_0_conv')
    expect(sgmToDiffusers('output_blocks_11_1_transformer_blocks_0_attn2_to_v')).toBe(
      'up_blocks_3_attentions_2_transformer_blocks_0_attn2_to_v',
    )
  })

  it('rejects names outside the layout', () => {
    expect(sgmToDiffusers('input_blocks_3_1_proj_in')).toBeUndefined()
    expect(sgmToDiffusers('middle_block_5_x')).toBeUndefined()
  })
})
