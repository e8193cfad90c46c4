"""Encodes and decodes the probe renders ($HYPERSHAPES_DIAG/renders.bin, from render.py) with a work folder's VAE
(posterior means, as the latents stage uses) and writes rt-<tag>.bin for scripts/eval/score-renders.ts: the VAE's
ceiling on what any teacher sampled through it can score.
    sh training/run.sh training/probes/vae_roundtrip.py <work folder> <tag>"""
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
work, tag = sys.argv[1], sys.argv[2]
os.environ["HYPERSHAPES_WORK"] = work
DIAG = os.environ.get("HYPERSHAPES_DIAG", "/tmp/diag")
import torch  # noqa: E402

from hypershapes import common  # noqa: E402
from hypershapes.vae import load_vae, to_pixels  # noqa: E402

common.setup_torch()
vae = load_vae()
renders = np.fromfile(f"{DIAG}/renders.bin", np.uint8).reshape(-1, 64, 64, 3).transpose(0, 3, 1, 2)
with torch.no_grad():
    mean, _ = vae.encode(to_pixels(np.ascontiguousarray(renders)))
    y = vae.decode(mean)
((y.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy().tofile(f"{DIAG}/rt-{tag}.bin")
