"""Layers that train fast on Debian's CPU torch and export like diffusers/transformers modules.

Debian's torch runs matmul on reference BLAS (a few GFLOP/s) but 1x1 convolutions through oneDNN at tens of
GFLOP/s. So in training every Linear is applied as a 1x1 convolution on NCHW activations (tokens laid out as a
spatial grid). `EXPORT.tokens = True` switches the same parameters to the token layout [B, N, C] with F.linear, which
torch.onnx.export writes as MatMul + Add, the way a real SD1.5 / CLIP export looks.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class ExportMode:
    tokens = False


EXPORT = ExportMode()


class Linear(nn.Linear):
    """nn.Linear whose forward on an NCHW tensor is a 1x1 convolution over the channel axis."""

    def grid(self, x):
        return F.conv2d(x, self.weight[:, :, None, None], self.bias)


class LayerNorm(nn.LayerNorm):
    """nn.LayerNorm; `grid` normalises the channel axis of an NCHW tensor."""

    def grid(self, x):
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        y = (x - mean) * torch.rsqrt(var + self.eps)
        return y * self.weight[None, :, None, None] + self.bias[None, :, None, None]


def attention_grid(q, k, v, heads, mask=None, scale_query=False):
    """Scaled dot-product attention on grids: q [B, C, ...Nq], k/v [B, C, ...Nk] -> [B, C, ...Nq].

    Both products are grouped 1x1 convolutions (one group per batch item and head): on Debian's torch they run
    20-30x faster than bmm, forward and backward. `mask` is [Nq, Nk] (additive)."""
    shape = q.shape
    b, c = shape[0], shape[1]
    g, d = b * heads, c // heads
    n = q[0, 0].numel()
    m = k[0, 0].numel()
    kt = k.reshape(g, d, m).transpose(1, 2).reshape(g * m, d, 1, 1)
    scores = F.conv2d(q.reshape(1, g * d, n, 1), kt, groups=g).reshape(g, m, n) * (1 / math.sqrt(d))
    if mask is not None:
        scores = scores + mask.t()
    probs = scores.softmax(1)
    out = F.conv2d(probs.reshape(1, g * m, n, 1), v.reshape(g * d, m, 1, 1), groups=g)
    return out.reshape(shape)


def attention_tokens(q, k, v, heads, mask=None, scale_query=False):
    """The same on tokens [B, N, C], written as torch traces SDPA (Reshape/Transpose/MatMul/Softmax)."""
    b, n, c = q.shape
    d = c // heads
    scale = 1 / math.sqrt(d)
    if scale_query:
        q = q * scale
    qh = q.reshape(b, n, heads, d).transpose(1, 2)
    kh = k.reshape(b, k.shape[1], heads, d).permute(0, 2, 3, 1)
    vh = v.reshape(b, v.shape[1], heads, d).transpose(1, 2)
    scores = torch.matmul(qh, kh)
    if not scale_query:
        scores = scores * scale
    if mask is not None:
        scores = scores + mask
    out = torch.matmul(scores.softmax(-1), vh)
    return out.transpose(1, 2).reshape(b, n, c)


class Attention(nn.Module):
    """diffusers Attention (to_q, to_k, to_v without bias; to_out.0 with bias)."""

    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = Linear(dim, dim, bias=False)
        self.to_k = Linear(context_dim, dim, bias=False)
        self.to_v = Linear(context_dim, dim, bias=False)
        self.to_out = nn.ModuleList([Linear(dim, dim)])

    def forward(self, x, context):
        if EXPORT.tokens:
            out = attention_tokens(self.to_q(x), self.to_k(context), self.to_v(context), self.heads)
            return self.to_out[0](out)
        out = attention_grid(self.to_q.grid(x), self.to_k.grid(context), self.to_v.grid(context), self.heads)
        return self.to_out[0].grid(out)


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = Linear(dim, inner * 2)

    def forward(self, x):
        if EXPORT.tokens:
            hidden, gate = self.proj(x).chunk(2, dim=-1)
        else:
            hidden, gate = self.proj.grid(x).chunk(2, dim=1)
        return hidden * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * 4), nn.Dropout(0.0), Linear(dim * 4, dim)])

    def forward(self, x):
        h = self.net[0](x)
        return self.net[2](h) if EXPORT.tokens else self.net[2].grid(h)


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.norm1 = LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads)
        self.norm2 = LayerNorm(dim)
        self.attn2 = Attention(dim, context_dim, heads)
        self.norm3 = LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        norm = (lambda m, t: m(t)) if EXPORT.tokens else (lambda m, t: m.grid(t))
        n1 = norm(self.norm1, x)
        x = self.attn1(n1, n1) + x
        x = self.attn2(norm(self.norm2, x), context) + x
        return self.ff(norm(self.norm3, x)) + x


class Transformer2DModel(nn.Module):
    """SD1.5's spatial transformer: GroupNorm, 1x1 conv proj_in, one block, 1x1 conv proj_out, residual."""

    def __init__(self, channels, context_dim, heads, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, eps=1e-6)
        self.proj_in = nn.Conv2d(channels, channels, 1)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(channels, context_dim, heads)])
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        hidden = self.proj_in(self.norm(x))
        if EXPORT.tokens:
            tokens = hidden.permute(0, 2, 3, 1).reshape(b, h * w, c)
            tokens = self.transformer_blocks[0](tokens, context)
            hidden = tokens.reshape(b, h, w, c).permute(0, 3, 1, 2)
        else:
            hidden = self.transformer_blocks[0](hidden, context)
        return self.proj_out(hidden) + x


class ResnetBlock2D(nn.Module):
    def __init__(self, in_c, out_c, groups, temb_dim=None, eps=1e-5):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_c, eps=eps)
        self.conv1 = nn.Conv2d(in_c, out_c, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_dim, out_c) if temb_dim else None
        self.norm2 = nn.GroupNorm(groups, out_c, eps=eps)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv2d(out_c, out_c, 3, padding=1)
        self.nonlinearity = nn.SiLU()
        self.conv_shortcut = nn.Conv2d(in_c, out_c, 1) if in_c != out_c else None

    def forward(self, x, temb=None):
        h = self.conv1(self.nonlinearity(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(self.nonlinearity(temb))[:, :, None, None]
        h = self.conv2(self.nonlinearity(self.norm2(h)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class Downsample2D(nn.Module):
    def __init__(self, channels, padding=1):
        super().__init__()
        self.padding = padding
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=padding)

    def forward(self, x):
        if self.padding == 0:  # AutoencoderKL's encoder pads right/bottom only
            x = F.pad(x, (0, 1, 0, 1))
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))
