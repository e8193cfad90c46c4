"""SD1.5's noise schedule (scaled_linear betas 0.00085..0.012, 1000 steps, set_alpha_to_one=false) and the
trailing DDIM timesteps that Hyper-SD's k-step LoRAs are sampled with."""
import numpy as np
import torch

T = 1000
BETAS = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T, dtype=torch.float64) ** 2
ALPHAS_CUMPROD = torch.cumprod(1 - BETAS, 0).float()
FINAL_ALPHA = float(ALPHAS_CUMPROD[0])  # set_alpha_to_one = false


def alpha(t):
    """ᾱ_t for integer timesteps, with t < 0 meaning the end of the trajectory (ᾱ_0 as the sampler uses)."""
    t = torch.as_tensor(t)
    return torch.where(t >= 0, ALPHAS_CUMPROD[t.clamp(min=0)], torch.tensor(FINAL_ALPHA))


def trailing(k: int) -> list:
    """DDIM trailing timesteps: round(arange(T, 0, -T/k)) - 1 (k=4: 999, 749, 499, 249)."""
    return [int(v) for v in np.round(np.arange(T, 0, -T / k)).astype(np.int64) - 1]


def add_noise(x0, noise, t):
    a = alpha(t).view(-1, 1, 1, 1)
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


def ddim_jump(x_t, eps, t, s):
    """One eta=0 DDIM step from t to s (s < 0: the end), per sample."""
    a_t, a_s = alpha(t).view(-1, 1, 1, 1), alpha(s).view(-1, 1, 1, 1)
    x0 = (x_t - (1 - a_t).sqrt() * eps) / a_t.sqrt()
    return a_s.sqrt() * x0 + (1 - a_s).sqrt() * eps, x0


def ddim_sample(unet, x, cond, steps: int, cfg=1.0, uncond=None):
    """k-step DDIM trailing (eta 0) from noise x, with classifier-free guidance against `uncond` when cfg != 1."""
    times = trailing(steps) + [-1]
    for t, s in zip(times[:-1], times[1:]):
        tt = torch.full((len(x),), t)
        eps = unet(x, tt, cond)
        if cfg != 1:
            u = unet(x, tt, uncond)
            eps = u + cfg * (eps - u)
        x, _ = ddim_jump(x, eps, tt, torch.full((len(x),), s))
    return x
