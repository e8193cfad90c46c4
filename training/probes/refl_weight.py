"""Re-runs a ReFL stage in a copy of a work folder with another reward weight, and writes its LoRA for `npm run eval
-- --lora-dir <out> --only refl`. With `--heavy-blur` the reward classifier is retrained first on images blurred up
to 5x5 twice over (the 1-step student's outputs are softer than the stage's 3x3 augmentation):
    sh training/run.sh training/probes/refl_weight.py <work folder copy> <k> <weight> <out dir> [--heavy-blur] [--chain] [--steps N] [--reward-batch N] [--head-weight colour=2 ...]
With `--chain` the reward's gradient flows through every sampler step (through="chain"), `--steps` sets the
stage's length (default 120), `--reward-batch` the samples drawn for the reward each step (default 32), `--head-weight` an
attribute's weight in the reward (reward.HEAD_WEIGHTS, default 1 each).
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
work, k, weight, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), Path(sys.argv[4])
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


if "--heavy-blur" in sys.argv:
    reward.augment = heavy_blur
    (Path(work) / "classifier.pt").unlink(missing_ok=True)
    common.seed_stage("classifier")  # as train.py seeds each stage
    reward.train_classifier(steps=2000, batch=64, data=16000)
for stale in (Path(work) / f"refl-{k}.pt", Path(work) / f"refl-{k}.ckpt"):
    stale.unlink(missing_ok=True)
common.seed_stage(f"refl-{k}")
steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 120
for pair in [a for i, a in enumerate(sys.argv) if i > 0 and sys.argv[i - 1] == "--head-weight"]:
    head, value = pair.split("=")
    reward.HEAD_WEIGHTS[head] = float(value)
reward_batch = int(sys.argv[sys.argv.index("--reward-batch") + 1]) if "--reward-batch" in sys.argv else None
reward.refl(k=k, steps=steps, batch=64, weight=weight, through="chain" if "--chain" in sys.argv else "last", reward_batch=reward_batch)
out.mkdir(parents=True, exist_ok=True)
write_lora(out / f"hyper-shapes-{k}step-refl.safetensors", f"refl-{k}")
