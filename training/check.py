"""Fast checks of the training code (CI runs them through tests/training/training.test.ts; training itself is not
run in CI). Prints one JSON object."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HYPERSHAPES_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from hypershapes import common, distill, domain, schedule, text as text_stage, vae as vae_stage  # noqa: E402
from hypershapes.layers import EXPORT  # noqa: E402
from hypershapes.nets import AutoencoderKL, ClipTextModel, TextConfig, UNet2DConditionModel, UnetConfig, VaeConfig  # noqa: E402
from hypershapes.tokenizer import ClipTokenizer  # noqa: E402

common.setup_torch()
report = {}
tok = ClipTokenizer()
report["tokens_cat"] = list(tok.encode("a photo of a cat")[:7])
report["tokens_astronaut"] = list(tok.encode("a photo of an astronaut riding a horse on mars")[:12])

rng = np.random.default_rng(0)
scenes = [domain.sample_scene(rng) for _ in range(4000)]
report["held_out_sampled"] = sum(tuple(s[a] for a in domain.ATTRIBUTES) in domain.HELD_OUT for s in scenes)
scene = {"size": "large", "colour": "red", "shape": "square", "position": "in the middle", "background": "blue"}
image = domain.render(scene, np.random.default_rng(1))
report["render_centre"], report["render_corner"] = image[32, 32].tolist(), image[1, 1].tolist()
report["caption"] = domain.caption(scene)
report["trailing4"] = schedule.trailing(4)

# TSCD's grid setting: every training t is a segment boundary less a whole number of solver steps Δ, and t' is the
# next grid point or the segment's end. The default draws t anywhere in the segment.
distill.TIME_SAMPLING = "grid"
off_grid = 0
for k in (1, 2, 4, 8):
    bounds, step = schedule.trailing(k), distill.solver_step(k)
    t, s, tp = (v.numpy() for v in distill.segment_times(k, 2000, np.random.default_rng(k)))
    upper = np.array(bounds)[np.searchsorted(-np.array(bounds), -t, side="right") - 1]
    off_grid += int(((upper - t) % step != 0).sum() + (t <= s).sum() + ((tp != t - step) & (tp != s)).sum())
report["grid_points"] = sorted(set(distill.segment_times(1, 400, np.random.default_rng(0))[0].tolist()))
report["grid_off"] = off_grid
distill.TIME_SAMPLING = "continuous"
report["continuous_points_k1"] = len(set(distill.segment_times(1, 4000, np.random.default_rng(0))[0].tolist()))

# Training layout (1x1 convs, grouped-conv attention) and export layout (MatMul) compute the same function.
torch.manual_seed(0)
text, unet = ClipTextModel(TextConfig(hidden_size=16, intermediate_size=32, layers=1)), UNet2DConditionModel(UnetConfig(block_out_channels=[16, 32], heads=[2, 2], groups=4, cross_attention_dim=16))
ids = torch.from_numpy(tok.batch(["a red circle", ""]))
x, t = torch.randn(2, 4, 8, 8), torch.tensor([999, 10])
with torch.no_grad():
    grid = unet(x, t, text(ids))
    EXPORT.tokens = True
    last, _ = text(ids)
    tokens = unet(x, t, last)
    EXPORT.tokens = False
report["layout_max_diff"] = (grid - tokens).abs().max().item()

# The VAE's object weights mark exactly the pixels that differ from the background, also where a large square
# covers the top-left corner (the background is then read from the other corners).
corner = {"size": "large", "colour": "red", "shape": "square", "position": "in the top left", "background": "blue"}
covered = [im for im in (domain.render(corner, np.random.default_rng(i)) for i in range(40)) if (im[0, 0] != [40, 90, 220]).any()][:1]
probe = np.ascontiguousarray(np.stack(covered + [image]).transpose(0, 3, 1, 2))
weights = vae_stage.object_weights(probe)[:, 0].numpy()
report["object_weights_corner_covered"] = len(covered)
report["object_weights_match"] = bool(((weights > weights.min()) == (probe != np.array([40, 90, 220])[None, :, None, None]).any(1)).all())

# A few real iterations at a tiny size: the loss goes down.
def losses(params, step_loss, steps=30, lr=3e-3):
    opt = torch.optim.Adam(params, lr=lr)
    out = []
    for _ in range(steps):
        loss = step_loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
        out.append(loss.item())
    return out

vae = AutoencoderKL(VaeConfig(block_out_channels=[8, 8, 16, 16], groups=4))
_, images = domain.make_dataset(8, seed=5)
pixels = torch.from_numpy(images).float() / 127.5 - 1
report["vae_losses"] = losses(vae.parameters(), lambda: (vae.decode(vae.encode(pixels)[0]) - pixels).abs().mean())

# Stage `latents` whitens the latent space and folds the change of coordinates into the VAE: the folded VAE must
# decode the whitened latents to the same pixels, and encode to the whitened latents.
with torch.no_grad():
    raw_means = vae.encode(pixels)[0]
    raw_means = raw_means * torch.tensor([3.0, 0.3, 0.05, 1.0])[None, :, None, None]  # unequal, as a trained VAE's
    w_mean, w_matrix, raw_eigenvalues = vae_stage.whitening(raw_means)
    whitened = vae_stage.whiten(raw_means, w_mean, w_matrix)
    folded = AutoencoderKL(vae.config)
    folded.load_state_dict(vae.state_dict())
    vae_stage.fold_whitening(folded, w_mean, w_matrix)
    report["whitening_decode_diff"] = (folded.decode(whitened) - vae.decode(raw_means)).abs().max().item()
    scaled_vae = AutoencoderKL(vae.config)
    scaled_vae.load_state_dict(vae.state_dict())
    scaled_vae.quant_conv.weight[:4] *= torch.tensor([3.0, 0.3, 0.05, 1.0])[:, None, None, None]
    scaled_vae.quant_conv.bias[:4] *= torch.tensor([3.0, 0.3, 0.05, 1.0])
    vae_stage.fold_whitening(scaled_vae, w_mean, w_matrix)
    report["whitening_encode_diff"] = (scaled_vae.encode(pixels)[0] - whitened).abs().max().item()
    report["whitened_eigenvalues"] = torch.linalg.eigvalsh(torch.cov(whitened.permute(0, 2, 3, 1).reshape(-1, 4).T)).tolist()
    # 1 for every direction, except one whose variance is below whitening()'s floor (1e-6 of the largest): raised to
    # the floor, it keeps its ratio to it. Which side of the floor a near-dead direction falls on differs by CPU.
    floor = 1e-6 * max(raw_eigenvalues)
    report["whitened_expected"] = sorted(min(1.0, e / floor) for e in raw_eigenvalues)
latents, noise = torch.randn(8, 4, 8, 8), torch.randn(8, 4, 8, 8)
tt = torch.randint(0, 1000, (8,), generator=torch.Generator().manual_seed(0))
cap = torch.from_numpy(tok.batch([domain.caption(s) for s in scenes[:8]]))
with torch.no_grad():
    context = text(cap)  # the teacher trains the UNet on the frozen text encoder's states
report["teacher_losses"] = losses(list(unet.parameters()),
                                  lambda: (unet(schedule.add_noise(latents, noise, tt), tt, context) - noise).pow(2).mean())

small_text = ClipTextModel(TextConfig(hidden_size=16, intermediate_size=32, layers=1))
small_heads = torch.nn.ModuleDict({a: torch.nn.Linear(16, len(v) + 1) for a, v in text_stage.VOCABULARY.items()})
captions, classes = text_stage.caption_batch(np.random.default_rng(3), 16)
caption_ids = torch.from_numpy(tok.batch(captions))
report["text_losses"] = losses(list(small_text.parameters()) + list(small_heads.parameters()), lambda: sum(
    torch.nn.functional.cross_entropy(small_heads[a](text_stage.pooled(small_text, caption_ids)), classes[a]) for a in classes))

# The whole pipeline at a toy size, interrupted at step 2 (of the VAE stage) and resumed: the same VAE and teacher
# weights as a straight run in another process.
def tiny_run(work, env=None, until=None):
    extra = ["--until", until] if until else []
    return subprocess.run([sys.executable, str(Path(__file__).parent / "train.py"), "--tiny", "--work", work, *extra],
                          env={**os.environ, "HYPERSHAPES_CHECKPOINT_SECONDS": "0", **(env or {})}, capture_output=True, text=True)

with tempfile.TemporaryDirectory() as straight, tempfile.TemporaryDirectory() as resumed:
    a = tiny_run(straight, until="teacher")
    b1 = tiny_run(resumed, {"HYPERSHAPES_STOP_AFTER": "2"}, until="teacher")
    b2 = tiny_run(resumed, until="teacher")
    report["straight_rc"], report["interrupted_rc"], report["resumed_rc"] = a.returncode, b1.returncode, b2.returncode
    report["interrupted_tail"] = b1.stderr.strip().splitlines()[-1:] + b1.stdout.strip().splitlines()[-1:]
    sa, sb = torch.load(Path(straight) / "teacher.pt"), torch.load(Path(resumed) / "teacher.pt")
    va, vb = torch.load(Path(straight) / "vae.pt")["model"], torch.load(Path(resumed) / "vae.pt")["model"]
    # The VAE is built first in each process: its weights show whether initialisation follows the seed.
    report["resume_max_diff"] = max(max((sa["unet"][k] - sb["unet"][k]).abs().max().item() for k in sa["unet"]),
                                    max((va[k] - vb[k]).abs().max().item() for k in va))
    full = tiny_run(resumed)
    report["pipeline_rc"] = full.returncode
    report["pipeline_stages"] = sorted(p.stem for p in Path(resumed).glob("*.pt"))
    report["pipeline_tail"] = (full.stdout + full.stderr).strip().splitlines()[-3:]
    # The score-distillation stage checkpoints its fake score model with the student: stopped after its step 1 and
    # resumed from that checkpoint, it writes the straight run's LoRA.
    straight_dmd = torch.load(Path(resumed) / "dmd-1.pt")["lora"]
    (Path(resumed) / "dmd-1.pt").unlink()
    d1 = tiny_run(resumed, {"HYPERSHAPES_STOP_AFTER": "1"}, until="dmd-1")
    checkpoint = torch.load(Path(resumed) / "dmd-1.ckpt")
    report["dmd_checkpoint_fake_up"] = max((v.abs().max().item() for k, v in checkpoint["extra"]["fake"].items() if k.endswith("up")), default=0)
    d2 = tiny_run(resumed, until="dmd-1")
    report["dmd_interrupted_rc"], report["dmd_resumed_rc"] = d1.returncode, d2.returncode
    report["dmd_resumed_tail"] = (d2.stdout + d2.stderr).strip().splitlines()[-3:]
    report["dmd_resumed_fake"] = "resumed the fake score model" in d2.stdout
    resumed_dmd = torch.load(Path(resumed) / "dmd-1.pt")["lora"]
    report["dmd_resume_max_diff"] = max((straight_dmd[k] - resumed_dmd[k]).abs().max().item() for k in straight_dmd)
    # The stage's time covers both sessions: the checkpoint carries the first one's, and the re-run replaces the
    # straight run's figure rather than adding to it.
    report["dmd_checkpoint_elapsed"] = checkpoint.get("elapsed", 0.0)
    report["dmd_resumed_seconds"] = json.loads((Path(resumed) / "timings.json").read_text())["dmd-1"]

print(json.dumps(report))
