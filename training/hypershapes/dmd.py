"""Score distillation for the 1-step LoRA: Hyper-SD's extra ingredient for one-step generation, here as distribution
matching (DMD, Yin et al. 2024, arXiv 2311.18828). The student's one-step images are noised again, and the gradient
pulls them from where a "fake" score model (the teacher plus its own LoRA, trained online to denoise the student's
images) sees them towards where the teacher with CFG sees them. Consistency distillation alone regresses to the mean
of the teacher's trajectories, which at one step is a blur; this term rewards sharp samples the teacher finds likely."""
import copy

import torch
import torch.nn.functional as F

from . import domain, lora, schedule
from .distill import run_distillation

# Timesteps at which the student's images are re-noised (DMD2 uses 2% to 98% of the schedule).
T_MIN, T_MAX = 20, 980
# The teacher's guidance in the "real" score: 4 and 6 gave 46.4% and 46.6% all right at one step from t=999 over 384
# images, 2.5 gave 42.2%; from t=800, 6 gave 63.0% against 4's 65.9% (training/README.md).
GUIDANCE = 4.0
# The timestep the one-step sample starts from, as Hyper-SDXL's 1-step UNet is sampled (LCM, t=800; the product's
# `lcm-800` preset): an error in the predicted noise reaches the image multiplied by sqrt(1 - a) / sqrt(a), 5.1 at
# t=800 against 14.6 at t=999. Trained and sampled so, the LoRA gets 65.9% all right over 384 images; at t=999, 46.4%.
START_T = 800


class DmdLoss:
    """An `extra_loss` for distill.run_distillation: `weight` times DMD's generator loss on `batch` one-step samples.
    Each call also takes `fake_updates` optimiser steps of the fake score model on the (detached) samples."""

    def __init__(self, batch: int, weight=1.0, guidance=GUIDANCE, fake_lr=1e-3, fake_updates=1, rank=16, start_t=START_T):
        self.batch, self.weight, self.guidance = batch, weight, guidance
        self.start_t = start_t
        self.fake_lr, self.fake_updates, self.rank = fake_lr, fake_updates, rank
        self.fake = None

    def _build(self, d):
        # The fake score starts as the teacher (its LoRA's up-projection is zero), as in DMD2.
        self.fake = copy.deepcopy(d.teacher)
        self.fake_loras = lora.add_lora(self.fake, self.rank)
        self.fake_opt = torch.optim.AdamW(lora.lora_parameters(self.fake_loras), lr=self.fake_lr, weight_decay=0)

    def state(self) -> dict:
        return {"fake": lora.lora_state(self.fake_loras), "fake_opt": self.fake_opt.state_dict()} if self.fake is not None else {}

    def load(self, d, state: dict):
        self._build(d)
        lora.load_lora_state(self.fake_loras, state["fake"])
        self.fake_opt.load_state_dict(state["fake_opt"])
        print("[dmd] resumed the fake score model from the checkpoint", flush=True)

    def _noised(self, x0, rng):
        t = torch.from_numpy(rng.integers(T_MIN, T_MAX + 1, size=len(x0)))
        noise = torch.randn_like(x0)
        return schedule.add_noise(x0, noise, t), t, noise

    def __call__(self, d, rng, step):
        if self.fake is None:
            self._build(d)
        idx = rng.integers(len(d.data["latents"]), size=self.batch)
        captions = [domain.random_caption(d.data["scenes"][i], rng, 0.3) for i in idx]
        ctx = d.context(captions)
        top = torch.full((self.batch,), self.start_t)
        noise = torch.randn(self.batch, *d.data["latents"].shape[1:])
        _, x0 = schedule.ddim_jump(noise, d.student(noise, top, ctx), top, torch.full((self.batch,), -1))

        # The fake score follows the student's current distribution: plain denoising on its samples.
        fake_losses = []
        for _ in range(self.fake_updates):
            x_t, t, n = self._noised(x0.detach(), rng)
            fake_loss = F.mse_loss(self.fake(x_t, t, ctx), n)
            self.fake_opt.zero_grad()
            fake_loss.backward()
            self.fake_opt.step()
            fake_losses.append(fake_loss.item())

        x_t, t, _ = self._noised(x0.detach(), rng)
        with torch.no_grad():
            a = schedule.alpha(t).view(-1, 1, 1, 1)
            eps_real = d.teacher_eps(x_t, t, ctx, self.guidance)
            eps_fake = self.fake(x_t, t, ctx)
            # x0 predictions' difference; DMD normalises it per sample by the real prediction's distance.
            real_x0 = (x_t - (1 - a).sqrt() * eps_real) / a.sqrt()
            grad = (1 - a).sqrt() / a.sqrt() * (eps_real - eps_fake)  # fake_x0 - real_x0
            grad = grad / (x0.detach() - real_x0).abs().mean(dim=(1, 2, 3), keepdim=True).clamp(min=1e-5)
        loss = 0.5 * F.mse_loss(x0, (x0 - grad).detach())
        return self.weight * loss, {"dmd": loss.item(), "fake": sum(fake_losses) / len(fake_losses)}


def score_distill(steps: int, batch: int, dmd_batch: int):
    """Stage `dmd-1`: the 1-step LoRA (from stage `tscd-1`) trained on with its TSCD loss plus the DMD term on
    `dmd_batch` one-step samples."""
    loss = DmdLoss(dmd_batch)
    run_distillation("dmd-1", steps, batch, lambda rng: 1, "tscd-1", lr=5e-4, extra_loss=loss)
