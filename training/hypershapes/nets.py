"""The shapes pipeline's networks with diffusers / transformers module names, so state dicts, LoRA keys and ONNX
exports look like SD1.5's: UNet2DConditionModel (CrossAttn down/mid/up blocks), CLIPTextModel, AutoencoderKL."""
import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import EXPORT, Downsample2D, LayerNorm, Linear, ResnetBlock2D, Transformer2DModel, Upsample2D, attention_grid, attention_tokens

TEXT_GRID = (7, 11)  # 77 token positions laid out as a grid so projections run as fast 1x1 convolutions


@dataclass
class TextConfig:
    vocab_size: int = 49408
    max_positions: int = 77
    hidden_size: int = 64
    intermediate_size: int = 256
    layers: int = 3
    heads: int = 2
    eps: float = 1e-5


@dataclass
class UnetConfig:
    block_out_channels: list = field(default_factory=lambda: [64, 128])
    heads: list = field(default_factory=lambda: [2, 4])
    groups: int = 16
    cross_attention_dim: int = 64
    in_channels: int = 4
    sample_size: int = 8


@dataclass
class VaeConfig:
    block_out_channels: list = field(default_factory=lambda: [16, 16, 32, 64])
    groups: int = 8
    latent_channels: int = 4
    layers_per_block: int = 1


# ---------------------------------------------------------------- text encoder (CLIPTextModel)

class ClipAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c.hidden_size
        self.heads = c.heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = Linear(d, d), Linear(d, d), Linear(d, d), Linear(d, d)

    def forward(self, x, mask):
        if EXPORT.tokens:
            out = attention_tokens(self.q_proj(x), self.k_proj(x), self.v_proj(x), self.heads, mask, scale_query=True)
            return self.out_proj(out)
        out = attention_grid(self.q_proj.grid(x), self.k_proj.grid(x), self.v_proj.grid(x), self.heads, mask)
        return self.out_proj.grid(out)


class ClipMlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc1 = Linear(c.hidden_size, c.intermediate_size)
        self.fc2 = Linear(c.intermediate_size, c.hidden_size)

    def forward(self, x):
        if EXPORT.tokens:
            h = self.fc1(x)
            return self.fc2(h * torch.sigmoid(1.702 * h))
        h = self.fc1.grid(x)
        return self.fc2.grid(h * torch.sigmoid(1.702 * h))


class ClipLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = ClipAttention(c)
        self.layer_norm1 = LayerNorm(c.hidden_size, eps=c.eps)
        self.mlp = ClipMlp(c)
        self.layer_norm2 = LayerNorm(c.hidden_size, eps=c.eps)

    def forward(self, x, mask):
        norm = (lambda m, t: m(t)) if EXPORT.tokens else (lambda m, t: m.grid(t))
        x = x + self.self_attn(norm(self.layer_norm1, x), mask)
        return x + self.mlp(norm(self.layer_norm2, x))


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c.vocab_size, c.hidden_size)
        self.position_embedding = nn.Embedding(c.max_positions, c.hidden_size)
        self.register_buffer("position_ids", torch.arange(c.max_positions)[None], persistent=False)

    def forward(self, input_ids):
        return self.token_embedding(input_ids) + self.position_embedding(self.position_ids)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([ClipLayer(c) for _ in range(c.layers)])

    def forward(self, x, mask):
        for layer in self.layers:
            x = layer(x, mask)
        return x


class TextModel(nn.Module):
    """Modules are called (not just read) so that an export names nodes /text_model/encoder/layers.0/... as CLIP's."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.final_layer_norm = LayerNorm(c.hidden_size, eps=c.eps)
        L = c.max_positions
        self.register_buffer("causal", torch.full((L, L), torch.finfo(torch.float32).min).triu(1), persistent=False)

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        if EXPORT.tokens:
            last = self.final_layer_norm(self.encoder(x, self.causal[None, None]))
            return last, last[torch.arange(last.shape[0]), input_ids.argmax(-1)]
        b, L, d = x.shape
        x = x.transpose(1, 2).reshape(b, d, *TEXT_GRID)
        return self.final_layer_norm.grid(self.encoder(x, self.causal))


class ClipTextModel(nn.Module):
    """input_ids [B, 77] -> last_hidden_state. Training layout: [B, D, 7, 11]; export layout: ([B, 77, D], pooled)."""

    def __init__(self, c: TextConfig):
        super().__init__()
        self.config = c
        self.text_model = TextModel(c)

    def forward(self, input_ids):
        return self.text_model(input_ids.to(torch.int64))



# ---------------------------------------------------------------- UNet2DConditionModel

class CrossAttnBlock(nn.Module):
    def __init__(self, in_c, out_c, temb, heads, c, resnets, add_down=False, add_up=False, skip_channels=None):
        super().__init__()
        rs, at = [], []
        for i in range(resnets):
            rin = (in_c if i == 0 else out_c) + (skip_channels[i] if skip_channels else 0)
            rs.append(ResnetBlock2D(rin, out_c, c.groups, temb))
            at.append(Transformer2DModel(out_c, c.cross_attention_dim, heads, c.groups))
        self.resnets, self.attentions = nn.ModuleList(rs), nn.ModuleList(at)
        if add_down:
            self.downsamplers = nn.ModuleList([Downsample2D(out_c)])
        if add_up:
            self.upsamplers = nn.ModuleList([Upsample2D(out_c)])


class CrossAttnDownBlock2D(CrossAttnBlock):
    def forward(self, h, temb, context):
        """Returns the output and the activations the up path concatenates."""
        skips = []
        for resnet, attn in zip(self.resnets, self.attentions):
            h = attn(resnet(h, temb), context)
            skips.append(h)
        if hasattr(self, "downsamplers"):
            h = self.downsamplers[0](h)
            skips.append(h)
        return h, skips


class CrossAttnUpBlock2D(CrossAttnBlock):
    def forward(self, h, skips, temb, context):
        """Consumes this block's skip activations, last first."""
        for resnet, attn, skip in zip(self.resnets, self.attentions, reversed(skips)):
            h = attn(resnet(torch.cat([h, skip], dim=1), temb), context)
        if hasattr(self, "upsamplers"):
            h = self.upsamplers[0](h)
        return h


class MidBlock(nn.Module):
    def __init__(self, ch, temb, heads, c):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(ch, ch, c.groups, temb), ResnetBlock2D(ch, ch, c.groups, temb)])
        self.attentions = nn.ModuleList([Transformer2DModel(ch, c.cross_attention_dim, heads, c.groups)])

    def forward(self, h, temb, context):
        return self.resnets[1](self.attentions[0](self.resnets[0](h, temb), context), temb)


class TimestepEmbedding(nn.Module):
    def __init__(self, d, temb):
        super().__init__()
        self.linear_1, self.act, self.linear_2 = nn.Linear(d, temb), nn.SiLU(), nn.Linear(temb, temb)

    def forward(self, x):
        return self.linear_2(self.act(self.linear_1(x)))


class UNet2DConditionModel(nn.Module):
    """SD1.5's UNet in miniature: CrossAttnDownBlock2D x L, UNetMidBlock2DCrossAttn, CrossAttnUpBlock2D x L,
    layers_per_block 1. The context comes in the encoder's layout (grid while training, tokens when exporting)."""

    def __init__(self, c: UnetConfig):
        super().__init__()
        self.config = c
        ch = c.block_out_channels
        temb = ch[0] * 4
        self.conv_in = nn.Conv2d(c.in_channels, ch[0], 3, padding=1)
        self.time_embedding = TimestepEmbedding(ch[0], temb)
        self.down_blocks = nn.ModuleList(
            [CrossAttnDownBlock2D(ch[max(i - 1, 0)], ch[i], temb, c.heads[i], c, 1, add_down=i < len(ch) - 1) for i in range(len(ch))])
        self.mid_block = MidBlock(ch[-1], temb, c.heads[-1], c)
        rev = list(reversed(ch))
        skip_ch = self._skip_channels()
        ups = []
        for i, out_c in enumerate(rev):
            prev = rev[max(i - 1, 0)]
            skips = [skip_ch.pop() for _ in range(2)]
            ups.append(CrossAttnUpBlock2D(prev, out_c, temb, list(reversed(c.heads))[i], c, 2, add_up=i < len(ch) - 1, skip_channels=skips))
        self.up_blocks = nn.ModuleList(ups)
        self.conv_norm_out = nn.GroupNorm(c.groups, ch[0], eps=1e-5)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(ch[0], c.in_channels, 3, padding=1)

    def _skip_channels(self):
        ch = self.config.block_out_channels
        skips = [ch[0]]
        for i, c in enumerate(ch):
            skips.append(c)
            if i < len(ch) - 1:
                skips.append(c)
        return skips

    def time_proj(self, timestep, batch):
        half = self.config.block_out_channels[0] // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
        t = timestep.to(torch.float32).expand(batch) if timestep.dim() <= 1 else timestep
        args = t[:, None] * freqs[None]
        return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)

    def forward(self, sample, timestep, context):
        temb = self.time_embedding(self.time_proj(timestep, sample.shape[0]))
        h = self.conv_in(sample)
        skips = [h]
        for block in self.down_blocks:
            h, block_skips = block(h, temb, context)
            skips += block_skips
        h = self.mid_block(h, temb, context)
        for block in self.up_blocks:
            n = len(block.resnets)
            h = block(h, skips[-n:], temb, context)
            skips = skips[:-n]
        return self.conv_out(self.conv_act(self.conv_norm_out(h)))


# ---------------------------------------------------------------- AutoencoderKL

class EncDecBlock(nn.Module):
    def __init__(self, in_c, out_c, groups, n, down=False, up=False):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(in_c if i == 0 else out_c, out_c, groups, eps=1e-6) for i in range(n)])
        if down:
            self.downsamplers = nn.ModuleList([Downsample2D(out_c, padding=0)])
        if up:
            self.upsamplers = nn.ModuleList([Upsample2D(out_c)])

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        if hasattr(self, "downsamplers"):
            x = self.downsamplers[0](x)
        if hasattr(self, "upsamplers"):
            x = self.upsamplers[0](x)
        return x


class VaeMid(nn.Module):
    def __init__(self, ch, groups):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(ch, ch, groups, eps=1e-6), ResnetBlock2D(ch, ch, groups, eps=1e-6)])

    def forward(self, x):
        return self.resnets[1](self.resnets[0](x))


class VaeEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        ch = c.block_out_channels
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        self.down_blocks = nn.ModuleList(
            [EncDecBlock(ch[max(i - 1, 0)], ch[i], c.groups, c.layers_per_block, down=i < len(ch) - 1) for i in range(len(ch))])
        self.mid_block = VaeMid(ch[-1], c.groups)
        self.conv_norm_out = nn.GroupNorm(c.groups, ch[-1], eps=1e-6)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(ch[-1], 2 * c.latent_channels, 3, padding=1)

    def forward(self, x):
        h = self.conv_in(x)
        for b in self.down_blocks:
            h = b(h)
        return self.conv_out(self.conv_act(self.conv_norm_out(self.mid_block(h))))


class VaeDecoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        rev = list(reversed(c.block_out_channels))
        self.conv_in = nn.Conv2d(c.latent_channels, rev[0], 3, padding=1)
        self.mid_block = VaeMid(rev[0], c.groups)
        self.up_blocks = nn.ModuleList(
            [EncDecBlock(rev[max(i - 1, 0)], rev[i], c.groups, c.layers_per_block + 1, up=i < len(rev) - 1) for i in range(len(rev))])
        self.conv_norm_out = nn.GroupNorm(c.groups, rev[-1], eps=1e-6)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(rev[-1], 3, 3, padding=1)

    def forward(self, z):
        h = self.mid_block(self.conv_in(z))
        for b in self.up_blocks:
            h = b(h)
        return self.conv_out(self.conv_act(self.conv_norm_out(h)))


class AutoencoderKL(nn.Module):
    def __init__(self, c: VaeConfig):
        super().__init__()
        self.config = c
        self.encoder = VaeEncoder(c)
        self.decoder = VaeDecoder(c)
        z = c.latent_channels
        self.quant_conv = nn.Conv2d(2 * z, 2 * z, 1)
        self.post_quant_conv = nn.Conv2d(z, z, 1)

    def encode(self, x):
        """Returns (mean, logvar) of the posterior."""
        moments = self.quant_conv(self.encoder(x))
        mean, logvar = moments.chunk(2, dim=1)
        return mean, logvar.clamp(-30, 20)

    def decode(self, z):
        return self.decoder(self.post_quant_conv(z))
