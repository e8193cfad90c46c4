"""Re-runs a ReFL stage in a copy of a work folder with another reward weight, and writes its LoRA for `npm run eval
-- --lora-dir <out> --only refl`. With `--heavy-blur` the reward classifier is retrained first on images blurred up
to 5x5 twice over (the 1-step student's outputs are softer than the stage's 3x3 augmentation):
    sh training/run.sh training/probes/refl_weight.py <work folder copy> <k> <weight> <out dir> [--heavy-blur] [--chain] [--steps N] [--reward-batch N] [--head-weight colour=2 ...]
With `--chain` the reward's gradient flows through every sampler step (through="chain"), `--steps` sets the
stage's length (default 120), `--reward-batch` the samples drawn for the reward each step (default 32), `--head-weight` an
attribute's weight in the reward (reward.HEAD_WEIGHTS, default 1 each).
"""
import argparse
import os
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("work")
parser.add_argument("k", type=int)
parser.add_argument("weight", type=float)
parser.add_argument("out", type=Path)
parser.add_argument("--heavy-blur", action="store_true")
parser.add_argument("--chain", action="store_true", help='the gradient through every step (through="chain")')
parser.add_argument("--steps", type=int, default=120)
parser.add_argument("--reward-batch", type=int, help="default: half the TSCD batch (32)")
parser.add_argument("--head-weight", action="append", default=[], metavar="ATTRIBUTE=W", help="reward.HEAD_WEIGHTS")
args = parser.parse_args()
work, k, weight, out = args.work, args.k, args.weight, args.out
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["HYPERSHAPES_WORK"] = work
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from hypershapes import common, reward  # noqa: E402
from hypershapes.export import write_lora  # noqa: E402

common.setup_torch()


def heavy_blur(x, rng):
    for _ in range(int(rng.integers(0, 3))):
        size = int(rng.choice([3, 5]))
        x = F.avg_pool2d(F.pad(x, (size // 2,) * 4, mode="replicate"), size, 1)
    return x + 0.05 * torch.randn_like(x) * float(rng.random())


if args.heavy_blur:
    reward.augment = heavy_blur
    (Path(work) / "classifier.pt").unlink(missing_ok=True)
    common.seed_stage("classifier")  # as train.py seeds each stage
    reward.train_classifier(steps=2000, batch=64, data=16000)
for stale in (Path(work) / f"refl-{k}.pt", Path(work) / f"refl-{k}.ckpt"):
    stale.unlink(missing_ok=True)
common.seed_stage(f"refl-{k}")
for pair in args.head_weight:
    head, value = pair.split("=")
    reward.HEAD_WEIGHTS[head] = float(value)
reward.refl(k=k, steps=args.steps, batch=64, weight=weight, through="chain" if args.chain else "last", reward_batch=args.reward_batch)
out.mkdir(parents=True, exist_ok=True)
write_lora(out / f"hyper-shapes-{k}step-refl.safetensors", f"refl-{k}")
