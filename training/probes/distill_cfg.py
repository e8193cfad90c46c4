"""The TSCD stages again with another guidance scale in the teacher's targets, into a scratch work folder that reuses
the pipeline's vae, latents, text and teacher; then the LoRAs (and the same base model) exported beside it.

    sh training/run.sh training/probes/distill_cfg.py 2.5 /tmp/work-cfg2.5
    npm run eval -- --model hyper-shapes=/tmp/work-cfg2.5/models/hyper-shapes --lora-dir /tmp/work-cfg2.5/models/loras \
        --only hyper-lora --out /tmp/work-cfg2.5/eval
"""
import os
import sys
from pathlib import Path

guidance, work = float(sys.argv[1]), Path(sys.argv[2])
source = Path(__file__).resolve().parents[1] / ".work"
work.mkdir(parents=True, exist_ok=True)
for stage in ("vae", "latents", "text", "teacher"):
    link = work / f"{stage}.pt"
    if not link.exists():
        link.symlink_to(source / f"{stage}.pt")
os.environ["HYPERSHAPES_WORK"] = str(work)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypershapes import common, distill, export  # noqa: E402

common.setup_torch()
distill.GUIDANCE = guidance
previous = None
for k, steps in ((8, 250), (4, 250), (2, 250), (1, 350)):  # train.py's TSCD stages
    common.seed_stage(f"tscd-{k}")  # as train.py seeds each stage
    distill.tscd(k=k, steps=steps, batch=64, previous=previous)
    previous = f"tscd-{k}"
export.export(models=work / "models", manifest=work / "shipped.json")
