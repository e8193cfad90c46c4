"""Re-runs a ReFL stage in a copy of a work folder with another reward weight, and writes its LoRA for `npm run eval
-- --lora-dir <out> --only refl`. With `--heavy-blur` the reward classifier is retrained first on images blurred up
to 5x5 twice over (the 1-step student's outputs are softer than the stage's 3x3 augmentation):
    sh training/run.sh training/probes/refl_weight.py <work folder copy> <k> <weight> <out dir> [--heavy-blur]"""
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
reward.refl(k=k, steps=120, batch=64, weight=weight)
out.mkdir(parents=True, exist_ok=True)
write_lora(out / f"hyper-shapes-{k}step-refl.safetensors", f"refl-{k}")
