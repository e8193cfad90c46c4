"""Stage `vae`: an AutoencoderKL (8x down, 4 latent channels) on rendered scenes, then stage `latents`: the training
set encoded once, whitened, with the scaling factor that gives the latents unit variance.

Why whiten: with SD's tiny KL weight nothing keeps the four latent channels apart, and a run can put nearly all of its
variance on one direction (measured: covariance eigenvalues 3.06, 0.024, 0.007, 0.000, every channel pair correlated
above 0.95, the eight palette colours on one line, red and purple 0.56 apart). Diffusion noise drowns the small
directions early in the reverse process, so the teacher confused neighbouring hues (43% of held-out scenes right at 8
steps, against 84% for a run whose latents spread over two directions). Whitening is an exact change of coordinates:
it is folded into quant_conv (the posterior mean) and post_quant_conv, so the exported VAE is an ordinary
AutoencoderKL with a scaling factor near 1."""
import time

import numpy as np
import torch

from . import domain
from .common import WORK, Checkpoint, Progress, log, record_timing, save_output, step_rng
from .nets import AutoencoderKL, VaeConfig

# SD's own KL weight. At 1e-4 the posterior std stayed near 0.4 on latents of std 2.4, and the decoder, trained on
# such noisy samples, learnt to blur objects into blobs: 42% of held-out scenes survived an encode-decode with
# every attribute intact, against 92% with these settings and the same steps.
KL_WEIGHT = 1e-6
# Objects cover 1.5 to 17% of the pixels; weighting them up keeps their colour and shape from losing out to the
# background in the reconstruction loss.
OBJECT_WEIGHT = 8
ENCODE_BATCH = 125
LATENT_SPACE = WORK / "latent-space.pt"  # the whitening stage `latents` chose, folded in by load_vae()


def object_weights(images_uint8):
    """Per-pixel loss weights [n, 1, H, W], mean 1: 1 + OBJECT_WEIGHT where a pixel differs from the background.
    The background is the corner colour most corners share (a large square can cover one corner, never two)."""
    corners = images_uint8[:, :, [0, 0, -1, -1], [0, -1, 0, -1]]  # [n, 3, 4]
    same = (corners[:, :, :, None] == corners[:, :, None, :]).all(axis=1).sum(axis=2)  # [n, 4]
    background = corners[np.arange(len(corners)), :, same.argmax(axis=1)][:, :, None, None]
    differs = (images_uint8 != background).any(axis=1, keepdims=True)
    w = torch.from_numpy(1 + OBJECT_WEIGHT * differs.astype(np.float32))
    return w / w.mean()


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
    ckpt = Checkpoint("vae", t0)
    start = ckpt.resume(vae, opt)
    progress = Progress("vae", steps, start)
    for step in range(start, steps):
        rng = step_rng("vae", step)
        for g in opt.param_groups:
            g["lr"] = lr * min(1, (step + 1) / 100) * (0.1 + 0.9 * (1 - step / steps))
        chosen = images[rng.integers(len(images), size=batch)]
        x, weights = to_pixels(chosen), object_weights(chosen)
        mean, logvar = vae.encode(x)
        z = mean + (0.5 * logvar).exp() * torch.randn_like(mean)
        recon = vae.decode(z)
        rec = (weights * ((recon - x).abs() + (recon - x).pow(2))).mean()
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        loss = rec + KL_WEIGHT * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        progress.update(step + 1, rec=rec.item(), kl=kl.item())
        ckpt.maybe_save(step + 1, lambda: {"model": vae.state_dict(), "opt": opt.state_dict()})
    save_output(out, {"model": vae.state_dict(), "config": vae.config.__dict__})
    ckpt.clear()
    record_timing("vae", ckpt.elapsed())


def load_vae(whitened=True):
    """The trained VAE; with `whitened`, in the latent coordinates of stage `latents` once it has run."""
    state = torch.load(WORK / "vae.pt")
    vae = AutoencoderKL(VaeConfig(**state["config"]))
    vae.load_state_dict(state["model"])
    if whitened and LATENT_SPACE.exists():
        fold_whitening(vae, **torch.load(LATENT_SPACE))
    return vae.eval().requires_grad_(False)


def whitening(latents: torch.Tensor, floor=1e-6):
    """Mean [C] and symmetric C^-1/2 [C, C] of the latent vectors (one per cell). Eigenvalues below `floor` times the
    largest are raised to it, so a dead direction is not blown up from rounding noise."""
    z = latents.permute(0, 2, 3, 1).reshape(-1, latents.shape[1]).double()
    mean = z.mean(0)
    eigenvalues, vectors = torch.linalg.eigh(torch.cov((z - mean).T))
    clipped = eigenvalues.clamp(min=floor * eigenvalues.max().item())
    matrix = vectors @ torch.diag(clipped.rsqrt()) @ vectors.T
    return mean.float(), matrix.float(), eigenvalues.flip(0).tolist()


def whiten(latents: torch.Tensor, mean: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
    """Latents [N, C, H, W] in the whitened coordinates: matrix (latent - mean) per cell."""
    return torch.einsum("ij,njhw->nihw", matrix, latents - mean[None, :, None, None])


@torch.no_grad()
def fold_whitening(vae: AutoencoderKL, mean: torch.Tensor, matrix: torch.Tensor):
    """New posterior mean = matrix (old mean - mean); the decoder undoes it before post_quant_conv. The log-variance
    rows are left alone: only the mean (diffusers' `mode()`) is exported or used after training."""
    z = len(mean)
    q = vae.quant_conv
    weight = q.weight[:z, :, 0, 0]
    q.weight[:z, :, 0, 0] = matrix @ weight
    q.bias[:z] = matrix @ (q.bias[:z] - mean)
    p = vae.post_quant_conv
    inverse = torch.linalg.inv(matrix.double()).float()
    p.bias += p.weight[:, :, 0, 0] @ mean
    p.weight[:, :, 0, 0] = p.weight[:, :, 0, 0] @ inverse


def encode_latents(count: int):
    """Renders `count` training scenes and stores their posterior means, scaled to unit variance."""
    out = WORK / "latents.pt"
    if out.exists():
        return
    t0 = time.time()
    # channels_last runs the 64x64 encoder convolutions 2.2x faster here, in batches that fit the cache (measured:
    # 60,000 scenes in 8.4 min as NCHW in batches of 500).
    vae = load_vae(whitened=False).to(memory_format=torch.channels_last)
    scenes, images = domain.make_dataset(count, seed=2)
    chunks = []
    with torch.inference_mode():
        for i in range(0, count, ENCODE_BATCH):
            pixels = to_pixels(images[i:i + ENCODE_BATCH]).contiguous(memory_format=torch.channels_last)
            chunks.append(vae.encode(pixels)[0].contiguous())
            if (i // ENCODE_BATCH) % 40 == 39 or i + ENCODE_BATCH >= count:
                print(f"[latents] {min(i + ENCODE_BATCH, count)}/{count}", flush=True)
    raw = torch.cat(chunks)
    mean, matrix, eigenvalues = whitening(raw)
    log(f"[latents] covariance eigenvalues before whitening {', '.join(f'{e:.4f}' for e in eigenvalues)}")
    save_output(LATENT_SPACE, {"mean": mean, "matrix": matrix})
    vae = load_vae()
    latents = whiten(raw, mean, matrix)
    scaling = float(1 / latents.std())
    with torch.no_grad():  # decoded by the folded VAE: checks the fold as well as the reconstruction
        check = vae.decode(latents[:256])
        err = (check - to_pixels(images[:256])).abs().mean().item() * 127.5
    log(f"[latents] scaling_factor {scaling:.5f}, reconstruction mean abs error {err:.2f} levels")
    save_output(out, {"latents": latents * scaling, "scenes": scenes, "scaling_factor": scaling, "recon_error": err,
                      "eigenvalues": eigenvalues})
    record_timing("latents", time.time() - t0)
