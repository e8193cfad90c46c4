"""The TSCD stages again with one setting changed, into a scratch work folder that reuses the pipeline's vae, latent
space, latents, text and teacher; then the LoRAs (and the same base model) exported beside it.

    sh training/run.sh training/probes/distill_variant.py /tmp/work-cfg2 --cfg 2
    sh training/run.sh training/probes/distill_variant.py /tmp/work-raw --loss raw
    sh training/run.sh training/probes/distill_variant.py /tmp/work-grid --times grid
    sh training/run.sh training/probes/distill_variant.py /tmp/work-roll --boundary rollout --stages 8,4
    sh training/run.sh training/probes/distill_variant.py /tmp/work-long1 --steps 150,150,150,450
    npm run eval -- --model hyper-shapes=/tmp/work-raw/models/hyper-shapes --lora-dir /tmp/work-raw/models/loras \\
        --only hyper-lora --out /tmp/work-raw/eval
"""
import argparse
import os
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("work")
# option -> the distill setting it overrides (all probe settings; see hypershapes/distill.py)
SETTINGS = {"cfg": "GUIDANCE", "loss": "LOSS_COORDINATES", "times": "TIME_SAMPLING", "boundary": "BOUNDARY_STATES",
            "top": "TOP_STATE", "error_scale": "ERROR_SCALE"}
parser.add_argument("--cfg", type=float, help="the teacher's guidance in the targets (distill.GUIDANCE)")
parser.add_argument("--loss", choices=["whitened", "raw"], help="distill.LOSS_COORDINATES")
parser.add_argument("--times", choices=["continuous", "grid"], help="distill.TIME_SAMPLING")
parser.add_argument("--boundary", choices=["forward", "rollout"], help="distill.BOUNDARY_STATES")
parser.add_argument("--top", choices=["forward", "noise"], help="distill.TOP_STATE")
parser.add_argument("--error-scale", choices=["state", "x0"], help="distill.ERROR_SCALE")
parser.add_argument("--stages", default="8,4,2,1", help="which TSCD stages, in order (each starts from the one before)")
parser.add_argument("--steps", help="each stage's steps, in the order of --stages (default: train.py's)")
args = parser.parse_args()
work = Path(args.work)
source = Path(__file__).resolve().parents[1] / ".work"
work.mkdir(parents=True, exist_ok=True)
for name in ("vae", "latent-space", "latents", "text", "teacher"):
    link = work / f"{name}.pt"
    if not link.exists():
        link.symlink_to(source / f"{name}.pt")
os.environ["HYPERSHAPES_WORK"] = str(work)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypershapes import common, distill, export  # noqa: E402

common.setup_torch()
for option, setting in SETTINGS.items():
    if getattr(args, option) is not None:
        setattr(distill, setting, getattr(args, option))
previous = None
STEPS = {8: 200, 4: 200, 2: 200, 1: 300}  # train.py's TSCD stages
stages = [int(k) for k in args.stages.split(",")]
steps_of = [int(n) for n in args.steps.split(",")] if args.steps else [STEPS[k] for k in stages]
for k, steps in zip(stages, steps_of, strict=True):
    common.seed_stage(f"tscd-{k}")  # as train.py seeds each stage
    distill.tscd(k=k, steps=steps, batch=64, previous=previous)
    previous = f"tscd-{k}"
export.export(models=work / "models", manifest=work / "shipped.json")
