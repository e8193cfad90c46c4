"""Samples a work folder's teacher (training/.work or another) on the probe captions ($HYPERSHAPES_DIAG/caps.json)
with DDIM trailing and CFG, decodes with that folder's VAE, and writes gen-<tag>.bin for scripts/eval/score-renders.ts.
    sh training/run.sh training/probes/sample_work.py <work folder> <steps> <cfg> <tag>"""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
work, steps, cfg, tag = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
os.environ["HYPERSHAPES_WORK"] = work
DIAG = os.environ.get("HYPERSHAPES_DIAG", "/tmp/diag")
import torch  # noqa: E402

from hypershapes import common, schedule  # noqa: E402
from hypershapes.context import CaptionContext  # noqa: E402
from hypershapes.teacher import load_teacher  # noqa: E402
from hypershapes.vae import load_vae  # noqa: E402

common.setup_torch()
text, unet = load_teacher()
vae = load_vae()
scaling = torch.load(Path(work) / "latents.pt")["scaling_factor"]
captions = json.loads(Path(DIAG, "caps.json").read_text())
context = CaptionContext(text)
with torch.no_grad():
    cond, uncond = context(captions), context([""] * len(captions))
    x = torch.randn(len(captions), 4, 8, 8, generator=torch.Generator().manual_seed(7))
    y = vae.decode(schedule.ddim_sample(unet, x, cond, steps, cfg, uncond) / scaling)
((y.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy().tofile(f"{DIAG}/gen-{tag}.bin")
print(f"{DIAG}/gen-{tag}.bin")
