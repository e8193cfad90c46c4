"""Human-feedback learning at small scale: an attribute classifier trained on rendered scenes (stage `classifier`)
is the differentiable reward, and it fine-tunes a low-step LoRA (stage `refl-<k>`, `refl-4` in the pipeline): sample k
steps from noise with gradients kept on the last one (ReFL, through="last") or on all of them (through="chain", what
`refl-4` uses), decode with the VAE, and add minus the log-probability that the classifier gives the caption's
attributes to the distillation loss."""
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import domain, schedule
from .common import WORK, Checkpoint, Progress, record_timing, save_output, step_rng
from .distill import run_distillation
from .vae import load_vae, to_pixels

HEADS = {"colour": domain.COLOURS, "background": domain.COLOURS, "shape": domain.SHAPES, "size": list(domain.SIZES), "position": domain.POSITION_NAMES}


class SceneClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, 2, 1), nn.SiLU(), nn.Conv2d(32, 64, 3, 2, 1), nn.SiLU(),
            nn.Conv2d(64, 64, 3, 2, 1), nn.SiLU(), nn.Conv2d(64, 32, 1), nn.SiLU())
        self.heads = nn.ModuleDict({k: nn.Linear(32 * 8 * 8, len(v)) for k, v in HEADS.items()})

    def forward(self, x):
        h = self.features(x).flatten(1)
        return {k: head(h) for k, head in self.heads.items()}


def labels(scenes):
    return {k: torch.tensor([v.index(s[k]) for s in scenes]) for k, v in HEADS.items()}


def augment(x, rng):
    """Blur and noise, so the classifier also reads the softer images that few-step samplers make."""
    if rng.random() < 0.5:
        x = F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, 1)
    return x + 0.05 * torch.randn_like(x) * float(rng.random())


def train_classifier(steps: int, batch: int, data: int, lr=2e-3):
    out = WORK / "classifier.pt"
    if out.exists():
        return
    t0 = time.time()
    scenes, images = domain.make_dataset(data, seed=3)
    held = domain.make_dataset(512, seed=4)
    model = SceneClassifier()
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    progress = Progress("classifier", steps, 0)
    for step in range(steps):
        rng = step_rng("classifier", step)
        idx = rng.integers(data, size=batch)
        logits = model(augment(to_pixels(images[idx]), rng))
        y = labels([scenes[i] for i in idx])
        loss = sum(F.cross_entropy(logits[k], y[k]) for k in HEADS)
        opt.zero_grad()
        loss.backward()
        opt.step()
        progress.update(step + 1, loss=loss.item())
    with torch.no_grad():
        logits, y = model(to_pixels(held[1])), labels(held[0])
        accuracy = {k: (logits[k].argmax(1) == y[k]).float().mean().item() for k in HEADS}
    print(f"[classifier] held-out accuracy {accuracy}", flush=True)
    save_output(out, {"model": model.state_dict(), "accuracy": accuracy})
    record_timing("classifier", time.time() - t0)


def load_classifier():
    model = SceneClassifier()
    model.load_state_dict(torch.load(WORK / "classifier.pt")["model"])
    return model.eval().requires_grad_(False)


# Each attribute's weight in the reward (all 1: the caption's log-probability). A probe setting
# (probes/refl_weight.py --head-weight colour=2).
HEAD_WEIGHTS = {k: 1.0 for k in HEADS}


def caption_log_prob(logits, scenes, captions):
    """Sum over the attributes each caption names of log p(attribute), each times its HEAD_WEIGHTS entry."""
    total = 0
    for k, values in HEADS.items():
        word = {"colour": lambda s: f" {s['colour']} ", "background": lambda s: f" {s['background']} background",
                "shape": lambda s: s["shape"], "size": lambda s: f" {s['size']} ", "position": lambda s: s["position"]}[k]
        named = torch.tensor([word(s) in f" {c} " for s, c in zip(scenes, captions)], dtype=torch.float32)
        target = torch.tensor([values.index(s[k]) for s in scenes])
        logp = F.log_softmax(logits[k], 1).gather(1, target[:, None])[:, 0]
        total = total + HEAD_WEIGHTS[k] * (logp * named).sum() / len(scenes)
    return total


class ReflLoss:
    """Reward term for a k-step student sampled with DDIM trailing. `through` says which steps the reward's gradient
    flows through: "last" (ReFL: the k-1 steps before it without gradients) or "chain" (all k, as DRaFT does, so the
    early steps, which settle what the scene will be, learn from the reward too)."""

    def __init__(self, k: int, batch: int, weight: float, through: str = "last"):
        assert through in ("last", "chain"), through
        self.k, self.batch, self.weight, self.through = k, batch, weight, through
        self.vae, self.classifier = load_vae(), load_classifier()

    def __call__(self, d, rng, step):
        idx = rng.integers(len(d.data["latents"]), size=self.batch)
        scenes = [d.data["scenes"][i] for i in idx]
        captions = [domain.random_caption(s, rng, 0.3) for s in scenes]
        ctx = d.context(captions)
        times = schedule.trailing(self.k) + [-1]
        x = torch.randn(self.batch, 4, 8, 8)
        with torch.set_grad_enabled(self.through == "chain"):
            for t, s in zip(times[:-2], times[1:-1]):
                tt = torch.full((self.batch,), t)
                x, _ = schedule.ddim_jump(x, d.student(x, tt, ctx), tt, torch.full((self.batch,), s))
        t = torch.full((self.batch,), times[-2])
        _, x0 = schedule.ddim_jump(x, d.student(x, t, ctx), t, torch.full((self.batch,), -1))
        image = self.vae.decode(x0 / d.data["scaling_factor"]).clamp(-1, 1)
        logp = caption_log_prob(self.classifier(image), scenes, captions)
        return -self.weight * logp, {"reward_logp": logp.item()}


def refl(k: int, steps: int, batch: int, weight=0.02, through="last", reward_batch: int | None = None):
    """`batch` samples for the TSCD term, `reward_batch` (default half of it) sampled from noise for the reward."""
    reward = ReflLoss(k, reward_batch or batch // 2, weight, through)
    run_distillation(f"refl-{k}", steps, batch, lambda rng: k, f"tscd-{k}", lr=5e-4, extra_loss=reward)
