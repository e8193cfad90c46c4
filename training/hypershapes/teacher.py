"""Stage `teacher`: the UNet trained with epsilon prediction on the encoded scenes, conditioned on the text encoder
from stage `text`, which stays frozen (as SD's CLIP does), with partial captions and caption dropout (empty caption)
for classifier-free guidance. An EMA of the UNet's weights is kept and is what ships.

Why frozen: a step takes about a fifth less time without the encoder's backward pass and its 49408-row embedding
update, and the encoder's states per caption can be cached (context.py)."""
import copy
import time

import torch

from . import domain, schedule
from .common import WORK, Checkpoint, Progress, record_timing, save_output, step_rng
from .context import CaptionContext
from .nets import ClipTextModel, TextConfig, UNet2DConditionModel, UnetConfig
from .tokenizer import ClipTokenizer

CAPTION_DROPOUT = 0.1
ATTRIBUTE_DROP = 0.3


def sample_batch(data, rng, batch, dropout=CAPTION_DROPOUT):
    idx = rng.integers(len(data["latents"]), size=batch)
    captions = ["" if rng.random() < dropout else domain.random_caption(data["scenes"][i], rng, ATTRIBUTE_DROP) for i in idx]
    return data["latents"][idx], captions


def ema_update(ema, model, decay):
    with torch.no_grad():
        for e, p in zip(ema.parameters(), model.parameters()):
            e.lerp_(p, 1 - decay)


def train_teacher(steps: int, batch: int, lr=4e-4, ema_decay=0.995):
    out = WORK / "teacher.pt"
    if out.exists():
        return
    t0 = time.time()
    data = torch.load(WORK / "latents.pt")
    text, unet = ClipTextModel(TextConfig()), UNet2DConditionModel(UnetConfig())
    text.load_state_dict(torch.load(WORK / "text.pt")["text"])  # stage `text`: the grammar learnt first
    context = CaptionContext(text, ClipTokenizer())
    params = list(unet.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    ema = copy.deepcopy(unet).requires_grad_(False)
    ckpt = Checkpoint("teacher", t0)
    start = 0
    if (state := ckpt.load()) is not None:
        unet.load_state_dict(state["model"]), ema.load_state_dict(state["ema"]), opt.load_state_dict(state["opt"])
        start = state["step"]
    progress = Progress("teacher", steps, start)
    for step in range(start, steps):
        rng = step_rng("teacher", step)
        for g in opt.param_groups:
            g["lr"] = lr * min(1, (step + 1) / 200) * (0.05 + 0.95 * 0.5 * (1 + torch.cos(torch.tensor(step / steps * 3.14159)).item()))
        x0, captions = sample_batch(data, rng, batch)
        noise = torch.randn_like(x0)
        t = torch.randint(0, schedule.T, (batch,))
        pred = unet(schedule.add_noise(x0, noise, t), t, context(captions))
        loss = (pred - noise).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        ema_update(ema, unet, ema_decay if step > 500 else 0.99)
        progress.update(step + 1, loss=loss.item())
        ckpt.maybe_save(step + 1, lambda: {"model": unet.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict()})
    save_output(out, {"text": text.state_dict(), "unet": ema.state_dict(),
                      "text_config": TextConfig().__dict__, "unet_config": UnetConfig().__dict__})
    ckpt.clear()
    record_timing("teacher", ckpt.elapsed())


def load_teacher():
    state = torch.load(WORK / "teacher.pt")
    text = ClipTextModel(TextConfig(**state["text_config"]))
    unet = UNet2DConditionModel(UnetConfig(**state["unet_config"]))
    text.load_state_dict(state["text"]), unet.load_state_dict(state["unet"])
    return text.eval().requires_grad_(False), unet.eval().requires_grad_(False)
