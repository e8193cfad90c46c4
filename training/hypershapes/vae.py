"""Stage `vae`: an AutoencoderKL (8x down, 4 latent channels) on rendered scenes, then stage `latents`: the training
set encoded once, with the scaling factor that gives the latents unit variance."""
import time

import numpy as np
import torch

from . import domain
from .common import WORK, Checkpoint, Progress, log, record_timing, save_output, step_rng
from .nets import AutoencoderKL, VaeConfig

KL_WEIGHT = 1e-4


def to_pixels(images_uint8):
    return torch.from_numpy(images_uint8).float() / 127.5 - 1


def train_vae(steps: int, batch: int, data: int, lr=1e-3):
    out = WORK / "vae.pt"
    if out.exists():
        return
    t0 = time.time()
    log(f"[vae] rendering {data} scenes")
    _, images = domain.make_dataset(data, seed=1)
    vae = AutoencoderKL(VaeConfig())
    opt = torch.optim.AdamW(vae.parameters(), lr=lr, weight_decay=0)
    ckpt = Checkpoint("vae")
    start = 0
    if (state := ckpt.load()) is not None:
        vae.load_state_dict(state["model"]), opt.load_state_dict(state["opt"])
        start = state["step"]
    progress = Progress("vae", steps, start)
    for step in range(start, steps):
        rng = step_rng("vae", step)
        for g in opt.param_groups:
            g["lr"] = lr * min(1, (step + 1) / 100) * (0.1 + 0.9 * (1 - step / steps))
        x = to_pixels(images[rng.integers(len(images), size=batch)])
        mean, logvar = vae.encode(x)
        z = mean + (0.5 * logvar).exp() * torch.randn_like(mean)
        recon = vae.decode(z)
        rec = (recon - x).abs().mean() + (recon - x).pow(2).mean()
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        loss = rec + KL_WEIGHT * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        progress.update(step + 1, rec=rec.item(), kl=kl.item())
        ckpt.maybe_save(step + 1, lambda: {"model": vae.state_dict(), "opt": opt.state_dict()})
    save_output(out, {"model": vae.state_dict(), "config": vae.config.__dict__})
    ckpt.clear()
    record_timing("vae", time.time() - t0)


def load_vae():
    state = torch.load(WORK / "vae.pt")
    vae = AutoencoderKL(VaeConfig(**state["config"]))
    vae.load_state_dict(state["model"])
    return vae.eval().requires_grad_(False)


def encode_latents(count: int):
    """Renders `count` training scenes and stores their posterior means, scaled to unit variance."""
    out = WORK / "latents.pt"
    if out.exists():
        return
    t0 = time.time()
    vae = load_vae()
    scenes, images = domain.make_dataset(count, seed=2)
    chunks = []
    with torch.no_grad():
        for i in range(0, count, 500):
            chunks.append(vae.encode(to_pixels(images[i:i + 500]))[0])
            print(f"[latents] {min(i + 500, count)}/{count}", flush=True)
    latents = torch.cat(chunks)
    scaling = float(1 / latents.std())
    with torch.no_grad():
        check = vae.decode(latents[:256])
        err = (check - to_pixels(images[:256])).abs().mean().item() * 127.5
    log(f"[latents] scaling_factor {scaling:.5f}, reconstruction mean abs error {err:.2f} levels")
    save_output(out, {"latents": latents * scaling, "scenes": scenes, "scaling_factor": scaling, "recon_error": err})
    record_timing("latents", time.time() - t0)
