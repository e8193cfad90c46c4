"""Trains a 1-step LoRA with TSCD (k = 1) plus score distillation (hypershapes/dmd.py) in a copy of a work folder, and
writes it as hyper-shapes-1step.safetensors for `npm run eval -- --lora-dir <out> --only hyper-lora/1`:
    sh training/run.sh training/probes/dmd_probe.py <work folder copy> <out dir> [--weight W] [--steps N]
        [--dmd-batch N] [--guidance G] [--fake-updates N] [--fake-lr LR] [--init STAGE] [--lr LR] [--batch N]
"""
import argparse
import os
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("work")
parser.add_argument("out", type=Path)
parser.add_argument("--weight", type=float, default=1.0)
parser.add_argument("--steps", type=int, default=100)
parser.add_argument("--dmd-batch", type=int, default=32)
parser.add_argument("--guidance", type=float, default=4.0, help="the teacher's CFG in the real score (the stage's)")
parser.add_argument("--fake-updates", type=int, default=1)
parser.add_argument("--fake-lr", type=float, default=1e-3)
parser.add_argument("--init", default="tscd-1", help="the stage whose LoRA the student starts from")
parser.add_argument("--lr", type=float, default=5e-4)
parser.add_argument("--start-t", type=int, default=800, help="the timestep the one-step sample starts from (the stage's)")
parser.add_argument("--batch", type=int, default=64, help="samples for the TSCD term each step")
args = parser.parse_args()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["HYPERSHAPES_WORK"] = args.work

from hypershapes import common, distill  # noqa: E402
from hypershapes.dmd import DmdLoss  # noqa: E402
from hypershapes.export import write_lora  # noqa: E402

common.setup_torch()
stage = "dmd-1"
for stale in (Path(args.work) / f"{stage}.pt", Path(args.work) / f"{stage}.ckpt"):
    stale.unlink(missing_ok=True)
common.seed_stage(stage)
dmd = DmdLoss(args.dmd_batch, args.weight, args.guidance, fake_lr=args.fake_lr, fake_updates=args.fake_updates, start_t=args.start_t)
distill.run_distillation(stage, args.steps, args.batch, lambda rng: 1, args.init, lr=args.lr, extra_loss=dmd)
args.out.mkdir(parents=True, exist_ok=True)
write_lora(args.out / "hyper-shapes-1step.safetensors", stage)
