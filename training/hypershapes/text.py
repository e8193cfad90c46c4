"""Stage `text`: the CLIP text encoder learns the caption grammar before the teacher starts, as SD's text encoder
arrives pretrained. Its pooled output (the EOS token's state) is trained to name each attribute the caption gives,
or "not said", with one linear head per attribute; the heads are thrown away.

Why: trained from scratch together with the UNet, the text encoder gave the UNet nothing to attend to for the
first thousand steps (after 800 teacher steps the held-out backgrounds were right 19% of the time, about chance),
so a third of the teacher's budget went by before conditioning started."""
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import domain
from .common import WORK, Checkpoint, Progress, record_timing, save_output, step_rng
from .nets import ClipTextModel, TextConfig
from .teacher import ATTRIBUTE_DROP, CAPTION_DROPOUT
from .tokenizer import ClipTokenizer

VOCABULARY = {"size": list(domain.SIZES), "colour": domain.COLOURS, "shape": domain.SHAPES,
              "position": domain.POSITION_NAMES, "background": domain.COLOURS}


def caption_batch(rng: np.random.Generator, batch: int):
    """Captions as the teacher sees them (partial, sometimes empty) with each attribute's class; the last class
    of each attribute means the caption does not say it."""
    captions, classes = [], {a: [] for a in VOCABULARY}
    for _ in range(batch):
        scene = domain.sample_scene(rng)
        empty = rng.random() < CAPTION_DROPOUT
        keep = {a: not empty and (a == "shape" or rng.random() >= ATTRIBUTE_DROP) for a in domain.ATTRIBUTES}
        captions.append("" if empty else domain.caption(scene, keep))
        for a, values in VOCABULARY.items():
            classes[a].append(values.index(scene[a]) if keep[a] else len(values))
    return captions, {a: torch.tensor(c) for a, c in classes.items()}


def pooled(text: ClipTextModel, ids: torch.Tensor) -> torch.Tensor:
    """The EOS token's final state (CLIP's pooler_output) from the training layout [B, D, 7, 11]."""
    states = text(ids).flatten(2)
    return states[torch.arange(len(ids)), :, ids.argmax(-1)]


def train_text(steps: int, batch: int, lr=1e-3):
    out = WORK / "text.pt"
    if out.exists():
        return
    t0 = time.time()
    tokenizer = ClipTokenizer()
    text = ClipTextModel(TextConfig())
    width = text.config.hidden_size
    heads = nn.ModuleDict({a: nn.Linear(width, len(v) + 1) for a, v in VOCABULARY.items()})
    live = nn.ModuleDict({"text": text, "heads": heads})
    opt = torch.optim.AdamW(live.parameters(), lr=lr, weight_decay=0.01)
    ckpt = Checkpoint("text", t0)
    start = ckpt.resume(live, opt)
    progress = Progress("text", steps, start)
    for step in range(start, steps):
        rng = step_rng("text", step)
        captions, classes = caption_batch(rng, batch)
        features = pooled(text, torch.from_numpy(tokenizer.batch(captions)))
        logits = {a: heads[a](features) for a in VOCABULARY}
        loss = sum(F.cross_entropy(logits[a], classes[a]) for a in VOCABULARY)
        opt.zero_grad()
        loss.backward()
        opt.step()
        right = torch.stack([logits[a].argmax(-1) == classes[a] for a in VOCABULARY]).all(0).float().mean()
        progress.update(step + 1, loss=loss.item(), all_right=right.item())
        ckpt.maybe_save(step + 1, lambda: {"model": live.state_dict(), "opt": opt.state_dict()})
    save_output(out, {"text": text.state_dict(), "text_config": TextConfig().__dict__})
    ckpt.clear()
    record_timing("text", ckpt.elapsed())
