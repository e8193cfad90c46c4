"""A/B of whitened latents on one VAE: another work folder's latents (unscaled, then whitened as stage `latents` does),
with a given text encoder, and a seeded teacher, into a new work folder; then score it with sample_work.py.
    sh training/run.sh training/probes/whitened_teacher.py <source work> <text.pt> <new work>
    sh training/run.sh training/probes/sample_work.py <new work> 8 2.5 w && npx tsx scripts/eval/score-renders.ts /tmp/diag/gen-w.bin"""
import os
import shutil
import sys
from pathlib import Path

source, text_file, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
os.environ["HYPERSHAPES_WORK"] = str(work)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402

from hypershapes import common, teacher, vae  # noqa: E402

common.setup_torch()
work.mkdir(parents=True, exist_ok=True)
for name, src in (("vae.pt", source / "vae.pt"), ("text.pt", text_file)):
    if not (work / name).exists():
        shutil.copy(src, work / name)
if not (work / "latents.pt").exists():
    data = torch.load(source / "latents.pt")
    raw = data["latents"] / data["scaling_factor"]
    mean, matrix, eigenvalues = vae.whitening(raw)
    common.log(f"eigenvalues before whitening {eigenvalues}")
    common.save_output(vae.LATENT_SPACE, {"mean": mean, "matrix": matrix})
    white = vae.whiten(raw, mean, matrix)
    scaling = float(1 / white.std())
    common.save_output(work / "latents.pt", {"latents": white * scaling, "scenes": data["scenes"], "scaling_factor": scaling,
                                             "recon_error": data.get("recon_error"), "eigenvalues": eigenvalues})
common.seed_stage("teacher")
teacher.train_teacher(steps=2100, batch=128)
