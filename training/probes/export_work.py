"""Exports a work folder as it stands (part-way through `npm run train` too) into a scratch models folder, so its
teacher and whichever LoRAs exist can be evaluated without touching public/models:
    sh training/run.sh training/probes/export_work.py training/.work /tmp/early
    npm run eval -- --model hyper-shapes=/tmp/early/models/hyper-shapes --lora-dir /tmp/early/models/loras --only hyper-lora"""
import os
import sys
from pathlib import Path

work, out = sys.argv[1], Path(sys.argv[2])
os.environ["HYPERSHAPES_WORK"] = work
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypershapes import common, export  # noqa: E402

common.setup_torch()
export.export(models=out / "models", manifest=out / "shipped.json")
