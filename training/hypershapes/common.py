"""What every stage shares: the work folder, seeded per-step randomness, resumable checkpoints, progress with ETA."""
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("HYPERSHAPES_WORK", ROOT / ".work"))
SEED = 20261203
CHECKPOINT_SECONDS = float(os.environ.get("HYPERSHAPES_CHECKPOINT_SECONDS", 60))
# Tests simulate an interruption: the process exits right after the checkpoint of this step.
STOP_AFTER = int(os.environ.get("HYPERSHAPES_STOP_AFTER", 0))


def setup_torch():
    torch.set_flush_denormal(True)  # tiny gradients as denormals slow the CPU several times over
    # One process per machine: two torch processes with OpenMP pools on 2 cores slow each other down 10x.
    torch.set_num_threads(int(os.environ.get("HYPERSHAPES_THREADS", os.cpu_count() or 2)))


def stage_key(stage: str) -> int:
    return sum(ord(c) * 31 ** i for i, c in enumerate(stage)) % (1 << 31)


def seed_stage(stage: str):
    """Seeds torch for a stage's model initialisation. Debian's torch seeds its global generator from the OS at
    start, so without this the first model a process builds (the VAE, or any stage after a resume) started from
    other weights in every run, whatever SEED said."""
    torch.manual_seed((SEED * 1_000_003 + stage_key(stage) * 7919 - 1) % (1 << 62))


def step_rng(stage: str, step: int) -> np.random.Generator:
    """Randomness of one training step: the same after a resume as in an uninterrupted run."""
    key = stage_key(stage)
    torch.manual_seed((SEED * 1_000_003 + key * 7919 + step) % (1 << 62))
    return np.random.default_rng([SEED, key, step])


class Progress:
    """Prints `stage step/total loss ... ETA` every few seconds; ETA from this session's rate."""

    def __init__(self, stage: str, total: int, start: int):
        self.stage, self.total, self.start = stage, total, start
        self.t0 = self.last = time.time()

    def update(self, step: int, **metrics):
        now = time.time()
        if now - self.last < 10 and step < self.total:
            return
        self.last = now
        done = step - self.start
        rate = (now - self.t0) / max(done, 1)
        eta = rate * (self.total - step)
        m = " ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        print(f"[{self.stage}] {step}/{self.total} {m} {rate:.2f}s/step ETA {eta / 60:.1f} min", flush=True)


class Checkpoint:
    """Saves the stage's state every CHECKPOINT_SECONDS (atomically) and loads it on restart. It also carries the
    stage's running time, so a resumed stage reports the time of all its sessions."""

    def __init__(self, stage: str, started: float):
        self.path = WORK / f"{stage}.ckpt"
        self.last = self.started = started
        self.before = 0.0

    def load(self):
        if not self.path.exists():
            return None
        state = torch.load(self.path)
        self.before = state.get("elapsed", 0.0)
        return state

    def elapsed(self) -> float:
        return self.before + time.time() - self.started

    def resume(self, model, opt) -> int:
        """Loads a {"model", "opt"} checkpoint into them if there is one; the step to continue from."""
        if (state := self.load()) is None:
            return 0
        model.load_state_dict(state["model"]), opt.load_state_dict(state["opt"])
        return state["step"]

    def maybe_save(self, step: int, state_fn, force=False):
        if force or time.time() - self.last > CHECKPOINT_SECONDS:
            tmp = self.path.with_suffix(".tmp")
            torch.save({"step": step, "elapsed": self.elapsed(), **state_fn()}, tmp)
            os.replace(tmp, self.path)
            self.last = time.time()
        if STOP_AFTER and step == STOP_AFTER:
            raise SystemExit(f"stopped after step {step} (HYPERSHAPES_STOP_AFTER)")

    def clear(self):
        self.path.unlink(missing_ok=True)


def record_timing(stage: str, seconds: float):
    """The stage's time; a stage run again from scratch replaces its old figure."""
    path = WORK / "timings.json"
    timings = json.loads(path.read_text()) if path.exists() else {}
    timings[stage] = round(seconds, 1)
    path.write_text(json.dumps(timings, indent=1))


def save_output(path: Path, obj):
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def log(msg: str):
    print(msg, file=sys.stdout, flush=True)
