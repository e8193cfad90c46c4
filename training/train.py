"""`npm run train`: the whole shapes pipeline from a fixed seed, resumable (finished stages are skipped, a running
stage resumes from its last checkpoint). `--tiny` runs every stage at a toy size into a scratch folder (CI)."""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

parser = argparse.ArgumentParser()
parser.add_argument("--tiny", action="store_true", help="a few iterations of each stage (tests)")
parser.add_argument("--work", help="work folder (default training/.work)")
parser.add_argument("--until", help="stop after this stage")
args = parser.parse_args()
if args.work:
    os.environ["HYPERSHAPES_WORK"] = args.work

from hypershapes import common, distill, dmd, export, reward, teacher, text, vae  # noqa: E402

common.setup_torch()
common.WORK.mkdir(parents=True, exist_ok=True)

# (stage, function, full-size arguments, tiny arguments)
STAGES = [
    ("vae", vae.train_vae, dict(steps=3600, batch=32, data=16000), dict(steps=4, batch=4, data=64)),
    ("latents", vae.encode_latents, dict(count=60000), dict(count=256)),
    ("text", text.train_text, dict(steps=600, batch=256), dict(steps=3, batch=8)),
    ("teacher", teacher.train_teacher, dict(steps=2100, batch=128), dict(steps=4, batch=8)),
    ("tscd-8", distill.tscd, dict(k=8, steps=200, batch=64, previous=None), dict(k=8, steps=2, batch=4, previous=None)),
    ("tscd-4", distill.tscd, dict(k=4, steps=200, batch=64, previous="tscd-8"), dict(k=4, steps=2, batch=4, previous="tscd-8")),
    ("tscd-2", distill.tscd, dict(k=2, steps=200, batch=64, previous="tscd-4"), dict(k=2, steps=2, batch=4, previous="tscd-4")),
    ("tscd-1", distill.tscd, dict(k=1, steps=300, batch=64, previous="tscd-2"), dict(k=1, steps=2, batch=4, previous="tscd-2")),
    ("unified", distill.unified, dict(steps=250, batch=64), dict(steps=2, batch=4)),
    ("classifier", reward.train_classifier, dict(steps=2000, batch=64, data=16000), dict(steps=3, batch=8, data=64)),
    # The 4-step LoRA's reward flows through its whole DDIM chain (DRaFT-style): 84% all right against 76% with the
    # last step only (training/README.md, "Human feedback through the whole chain").
    ("refl-4", reward.refl, dict(k=4, steps=100, batch=64, through="chain"), dict(k=4, steps=2, batch=4, through="chain")),
    # Score distillation for the 1-step LoRA, the paper's extra ingredient at one step (hypershapes/dmd.py). It took
    # the budget of `refl-2`, the 2-step ReFL (73.4% against 64.8% at 128 images, no graph used its LoRA).
    ("dmd-1", dmd.score_distill, dict(steps=100, batch=64, dmd_batch=32), dict(steps=2, batch=4, dmd_batch=4)),
    # The ablation gets the TSCD stages' budget: as many steps as all four together.
    ("cd-ablation", distill.cd_ablation, dict(steps=900, batch=64), dict(steps=2, batch=4)),
    ("export", export.export, dict(), None),
]

# Minutes each stage took on this 2-core machine (full size, the run of 2026-12-05/06 that made the shipped files),
# for the pipeline's ETA; each stage prints its own too.
EXPECTED_MINUTES = {"vae": 16.1, "latents": 1.1, "text": 3.7, "teacher": 26.9, "tscd-8": 2.7, "tscd-4": 2.5, "tscd-2": 2.9,
                    "tscd-1": 4.6, "unified": 4.7, "classifier": 1.8, "refl-4": 5.0, "dmd-1": 3.1, "cd-ablation": 13.9, "export": 0.2}

t0 = time.time()
for i, (name, fn, full, tiny) in enumerate(STAGES):
    left = sum(EXPECTED_MINUTES[n] for n, *_ in STAGES[i:] if not (common.WORK / f"{n}.pt").exists())
    eta = "" if args.tiny else f", pipeline ETA about {left:.0f} min"
    common.log(f"== stage {name} ({time.time() - t0:.0f}s{eta})")
    if args.tiny and tiny is None:
        continue  # the tiny run never writes the shipped files
    common.seed_stage(name)
    fn(**(tiny if args.tiny else full))
    if name == "export":
        # The app lists the bundled models from public/models/index.json, which records their sizes.
        subprocess.run(["npx", "tsx", "scripts/models-index.ts"], cwd=Path(__file__).resolve().parents[1], check=True)
    if args.until == name:
        break
common.log(f"== done in {(time.time() - t0) / 60:.1f} min")
