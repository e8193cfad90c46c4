"""Trajectory Segmented Consistency Distillation (Hyper-SD, arXiv 2404.13686) of the teacher into UNet LoRAs.

Stages of k = 8, 4, 2, 1 segments (stage `tscd-<k>`), each continuing the previous stage's LoRA; the unified LoRA
(stage `unified`, segment count sampled per batch, for TCD sampling); and the ablation (stage `cd-ablation`: plain
one-segment consistency distillation, LCM-style, from the teacher with the same number of steps as all TSCD
stages together). See ../README.md for the step in formulas."""
import copy
import time

import numpy as np
import torch

from . import domain, lora, schedule
from .common import WORK, Checkpoint, Progress, record_timing, save_output, step_rng
from .context import CaptionContext
from .teacher import load_teacher
from .tokenizer import ClipTokenizer

# The teacher's CFG in the targets. Measured on this teacher (25 DDIM steps, 128 held-out captions, all right): 79.7%
# at 2, 82.8% at 2.5, 82.0% at 3, 78.9% at 4; at 4 small objects come out large, and the LoRAs inherited it.
GUIDANCE = 2.5
# Δ, the teacher's DDIM step inside a segment, is a quarter of the segment (250 timesteps at k = 1, 32 at k = 8):
# a target reaches the segment's end in at most 4 hops of the EMA student, against up to 50 with Δ = 20 (LCM's grid),
# more than a stage of a few hundred steps propagates. On one teacher it gave the 2- and 4-step LoRAs 12 points and
# left 1 and 8 steps level (training/README.md, "Findings of the fourth run").
SOLVER_HOPS = 4


def solver_step(k: int) -> int:
    return -(-(schedule.T // k) // SOLVER_HOPS)
RANK = 16
HUBER_C = 0.05
# Where the distillation error is measured: "whitened" (the training latents' own coordinates, every direction
# weighted alike) or "raw" (mapped back to the VAE's coordinates before whitening, so the directions that carry most
# of the picture weigh most; same total weight for an isotropic error). A probe setting (probes/distill_variant.py).
LOSS_COORDINATES = "whitened"
BOUNDARY_FRACTION = 0.3  # share of samples taken exactly at a segment's upper boundary, where sampling starts
# Where the other samples' t lie: "continuous" (anywhere in the segment) or "grid" (only on the solver's own points,
# upper - jΔ, the discrete schedule LCM and Hyper-SD distil on). A probe setting (probes/distill_variant.py).
TIME_SAMPLING = "continuous"
# Where a sample taken at a lower segment boundary starts: "forward" (the data noised to t, as in training a
# diffusion model) or "rollout" (pure noise taken down the k-step DDIM trailing chain by the EMA student, the state
# the sampler will actually hand the student there). A probe setting (probes/distill_variant.py).
BOUNDARY_STATES = "forward"
# The state at t = 999, where every k-step sampler starts: "forward" (√ᾱ x0 + √(1-ᾱ) ε, which still carries 0.068 of
# the data) or "noise" (ε alone, what the sampler starts from, so the student cannot learn to read a scene from the
# leak). A probe setting (probes/distill_variant.py).
TOP_STATE = "forward"
# How a segment's error is scaled: "state" (as is) or "x0" (divided by √ᾱ_s, the scale of the picture at the
# segment's end, so the early segments, where a state is mostly noise, weigh their content as the last one does).
# A probe setting (probes/distill_variant.py).
ERROR_SCALE = "state"


def segment_times(k: int, batch: int, rng: np.random.Generator):
    """Per sample: t, its segment's target point s (-1 = the end) and t' = max(t - Δ, s)."""
    bounds = schedule.trailing(k)
    lower = bounds[1:] + [-1]
    seg = rng.integers(k, size=batch)
    upper, s = np.array(bounds)[seg], np.array(lower)[seg]
    if TIME_SAMPLING == "grid":
        hops = -(-(upper - s) // solver_step(k))  # grid points per segment, the boundary included
        inside = upper - solver_step(k) * (1 + (rng.random(batch) * (hops - 1)).astype(np.int64))
    else:
        inside = rng.integers(s + 1, upper + 1)
    t = np.where(rng.random(batch) < BOUNDARY_FRACTION, upper, inside)
    return torch.from_numpy(t), torch.from_numpy(s), torch.from_numpy(np.maximum(t - solver_step(k), s))


def pseudo_huber(diff):
    return ((diff.pow(2) + HUBER_C ** 2).sqrt() - HUBER_C).mean()


def raw_metric(scaling: float):
    """[C, C]: training-latent differences to the VAE's raw coordinates (the inverse of stage `latents`' whitening and
    scaling), normalised to keep an isotropic difference's mean square."""
    space = torch.load(WORK / "latent-space.pt")
    back = torch.linalg.inv(space["matrix"].double()).float() / scaling
    return back / back.pow(2).sum(1).mean().sqrt()


class Distiller:
    """Teacher (frozen, CFG), student (teacher + LoRA) and its EMA copy, for one LoRA being trained."""

    def __init__(self, ema_decay=0.95):
        text, self.teacher = load_teacher()
        self.context = CaptionContext(text, ClipTokenizer())
        self.student = copy.deepcopy(self.teacher)
        self.loras = lora.add_lora(self.student, RANK)
        self.ema = copy.deepcopy(self.student)
        self.ema_loras = {n: m for n, m in zip(self.loras, (self.ema.get_submodule(n).parametrizations.weight[0] for n in self.loras))}
        self.ema_decay = ema_decay
        self.uncond = self.context([""])
        self.data = torch.load(WORK / "latents.pt")
        self.metric = raw_metric(self.data["scaling_factor"]) if LOSS_COORDINATES == "raw" else None

    def params(self):
        return lora.lora_parameters(self.loras)

    def load(self, state):
        lora.load_lora_state(self.loras, state)
        lora.load_lora_state(self.ema_loras, state)

    def batch(self, rng, size):
        idx = rng.integers(len(self.data["latents"]), size=size)
        captions = [domain.random_caption(self.data["scenes"][i], rng, 0.3) for i in idx]
        ctx = self.context(captions)
        return self.data["latents"][idx], ctx, captions, idx

    def teacher_eps(self, x, t, ctx, guidance=GUIDANCE):
        with torch.no_grad():
            eps = self.teacher(torch.cat([x, x]), torch.cat([t, t]), torch.cat([ctx, self.uncond.expand_as(ctx)]))
            cond, uncond = eps.chunk(2)
            return uncond + guidance * (cond - uncond)

    def rollout(self, noise, t, ctx, k):
        """Per sample: pure noise taken by the EMA student's k-step DDIM trailing chain down to t (a boundary)."""
        bounds = schedule.trailing(k)
        x = noise.clone()
        with torch.no_grad():
            for a, b in zip(bounds[:-1], bounds[1:]):
                going = (t <= b).nonzero().flatten()
                if len(going) == 0:
                    break
                ta, tb = torch.full((len(going),), a), torch.full((len(going),), b)
                x[going], _ = schedule.ddim_jump(x[going], self.ema(x[going], ta, ctx[going]), ta, tb)
        return x

    def loss(self, x0, ctx, k, rng):
        t, s, tp = segment_times(k, x0.shape[0], rng)
        noise = torch.randn_like(x0)
        x_t = schedule.add_noise(x0, noise, t)
        if TOP_STATE == "noise":
            top = t == schedule.T - 1
            x_t[top] = noise[top]
        if BOUNDARY_STATES == "rollout":
            lower_bounds = torch.tensor(schedule.trailing(k)[1:], dtype=t.dtype)
            rolled = torch.isin(t, lower_bounds).nonzero().flatten()
            if len(rolled):
                x_t[rolled] = self.rollout(noise[rolled], t[rolled], ctx[rolled], k)
        with torch.no_grad():
            x_tp, _ = schedule.ddim_jump(x_t, self.teacher_eps(x_t, t, ctx), t, tp)
            ema_target, _ = schedule.ddim_jump(x_tp, self.ema(x_tp, tp, ctx), tp, s)
            target = torch.where((tp == s).view(-1, 1, 1, 1), x_tp, ema_target)
        pred, _ = schedule.ddim_jump(x_t, self.student(x_t, t, ctx), t, s)
        diff = pred - target
        if ERROR_SCALE == "x0":
            diff = diff / schedule.alpha(s).sqrt().view(-1, 1, 1, 1)
        if self.metric is not None:
            diff = torch.einsum("ij,njhw->nihw", self.metric, diff)
        return pseudo_huber(diff)

    def update_ema(self):
        with torch.no_grad():
            for name, l in self.loras.items():
                e = self.ema_loras[name]
                e.down.lerp_(l.down, 1 - self.ema_decay)
                e.up.lerp_(l.up, 1 - self.ema_decay)


def run_distillation(stage: str, steps: int, batch: int, segments, init: str | None, lr=1e-3, extra_loss=None):
    """Trains one LoRA. `segments(rng)` gives k for a batch; `init` names the stage whose LoRA it starts from.
    `extra_loss(distiller, rng, step)` adds a term (ReFL, DMD); one with `state()` and `load(distiller, state)` is
    checkpointed with the LoRA. Writes WORK/<stage>.pt with the LoRA state."""
    out = WORK / f"{stage}.pt"
    if out.exists():
        return
    t0 = time.time()
    d = Distiller()
    if init:
        d.load(torch.load(WORK / f"{init}.pt")["lora"])
    opt = torch.optim.AdamW(d.params(), lr=lr, weight_decay=0)
    ckpt = Checkpoint(stage, t0)
    start = 0
    if (state := ckpt.load()) is not None:
        lora.load_lora_state(d.loras, state["lora"]), lora.load_lora_state(d.ema_loras, state["ema"])
        opt.load_state_dict(state["opt"])
        start = state["step"]
        if state.get("extra"):
            extra_loss.load(d, state["extra"])
    progress = Progress(stage, steps, start)
    for step in range(start, steps):
        rng = step_rng(stage, step)
        for g in opt.param_groups:
            g["lr"] = lr * min(1, (step + 1) / 50)
        x0, ctx, captions, idx = d.batch(rng, batch)
        k = segments(rng)
        loss = d.loss(x0, ctx, k, rng)
        metrics = {"cd": loss.item()}
        if extra_loss is not None:
            extra, named = extra_loss(d, rng, step)
            loss = loss + extra
            metrics.update(named)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(d.params(), 1.0)
        opt.step()
        d.update_ema()
        progress.update(step + 1, **metrics)
        # An extra term with state of its own (the score-distillation stage's fake score model) resumes with it.
        extra_state = getattr(extra_loss, "state", None)
        ckpt.maybe_save(step + 1, lambda: {"lora": lora.lora_state(d.loras), "ema": lora.lora_state(d.ema_loras), "opt": opt.state_dict(),
                                           "extra": extra_state() if extra_state else None})
    # The EMA LoRA ships: it is the smoother of the two, as in consistency-model practice.
    save_output(out, {"lora": lora.lora_state(d.ema_loras), "kohya": lora.kohya_tensors(d.ema_loras)})
    ckpt.clear()
    record_timing(stage, ckpt.elapsed())


def tscd(k: int, steps: int, batch: int, previous: str | None):
    run_distillation(f"tscd-{k}", steps, batch, lambda rng: k, previous)


def unified(steps: int, batch: int):
    run_distillation("unified", steps, batch, lambda rng: int(rng.choice([1, 2, 4, 8])), "tscd-1")


def cd_ablation(steps: int, batch: int):
    run_distillation("cd-ablation", steps, batch, lambda rng: 1, None)
