"""The shapes domain (training/scenes.json): scene sampling, rendering and captions.

A scene is one flat-coloured circle, square or triangle on a flat background. Held-out scenes (full attribute
tuples listed in scenes.json) are never rendered for training, whatever caption a sample gets."""
import json
from pathlib import Path

import numpy as np

SCENES = json.loads((Path(__file__).resolve().parents[1] / "scenes.json").read_text())
PALETTE = SCENES["palette"]
COLOURS = list(PALETTE)
SIZES = SCENES["sizes"]
SHAPES = SCENES["shapes"]
POSITIONS = SCENES["positions"]
POSITION_NAMES = list(POSITIONS)
IMAGE = SCENES["imageSize"]
ATTRIBUTES = ("size", "colour", "shape", "position", "background")
HELD_OUT = {tuple(h[a] for a in ATTRIBUTES) for h in SCENES["heldOut"]}
SUPERSAMPLE = 4


def sample_scene(rng: np.random.Generator) -> dict:
    while True:
        colour, background = rng.choice(len(COLOURS), 2, replace=False)
        scene = {
            "size": list(SIZES)[rng.integers(len(SIZES))],
            "colour": COLOURS[colour],
            "shape": SHAPES[rng.integers(len(SHAPES))],
            "position": POSITION_NAMES[rng.integers(len(POSITION_NAMES))],
            "background": COLOURS[background],
        }
        if tuple(scene[a] for a in ATTRIBUTES) not in HELD_OUT:
            return scene


def geometry(scene: dict, rng: np.random.Generator):
    """Box side and centre in image fractions, jittered as scenes.json says, kept inside the image."""
    side = SIZES[scene["size"]] * (1 + rng.uniform(-SCENES["sizeJitter"], SCENES["sizeJitter"]))
    cx, cy = (np.array(POSITIONS[scene["position"]]) + rng.uniform(-SCENES["positionJitter"], SCENES["positionJitter"], 2))
    half = side / 2
    return side, float(np.clip(cx, half, 1 - half)), float(np.clip(cy, half, 1 - half))


_GRID = (np.arange(IMAGE * SUPERSAMPLE) + 0.5) / (IMAGE * SUPERSAMPLE)


def render(scene: dict, rng: np.random.Generator) -> np.ndarray:
    """uint8 [IMAGE, IMAGE, 3], anti-aliased by 4x4 supersampling."""
    side, cx, cy = geometry(scene, rng)
    x, y = _GRID[None, :], _GRID[:, None]
    half = side / 2
    if scene["shape"] == "circle":
        mask = (x - cx) ** 2 + (y - cy) ** 2 <= half ** 2
    elif scene["shape"] == "square":
        mask = (np.abs(x - cx) <= half) & (np.abs(y - cy) <= half)
    else:  # upright triangle: base on the box's bottom edge, apex at its top centre
        top, bottom = cy - half, cy + half
        frac = (y - top) / side
        mask = (y >= top) & (y <= bottom) & (np.abs(x - cx) <= half * frac)
    s = SUPERSAMPLE
    alpha = mask.reshape(IMAGE, s, IMAGE, s).mean(axis=(1, 3))[..., None]
    fg, bg = np.array(PALETTE[scene["colour"]], float), np.array(PALETTE[scene["background"]], float)
    return np.round(bg * (1 - alpha) + fg * alpha).astype(np.uint8)


def caption(scene: dict, keep: dict | None = None) -> str:
    """The grammar's caption with the attributes in `keep` (all by default); `a` + kept words in grammar order."""
    keep = keep or {a: True for a in ATTRIBUTES}
    words = ["a"]
    if keep["size"]:
        words.append(scene["size"])
    if keep["colour"]:
        words.append(scene["colour"])
    words.append(scene["shape"])
    if keep["position"]:
        words.append(scene["position"])
    if keep["background"]:
        words += ["on a", scene["background"], "background"]
    return " ".join(words)


def random_caption(scene: dict, rng: np.random.Generator, drop: float) -> str:
    """Each attribute but the shape is dropped with probability `drop` (partial captions such as `a red circle`)."""
    keep = {a: a == "shape" or rng.random() >= drop for a in ATTRIBUTES}
    return caption(scene, keep)


def make_dataset(count: int, seed: int):
    """Scenes and uint8 images [count, 3, IMAGE, IMAGE]."""
    rng = np.random.default_rng(seed)
    scenes = [sample_scene(rng) for _ in range(count)]
    images = np.stack([render(s, rng) for s in scenes]).transpose(0, 3, 1, 2)
    return scenes, np.ascontiguousarray(images)
