"""CLIP's BPE tokenizer (the product's tokenizer files), enough for lower-case word captions: BOS, per-word BPE
with the `</w>` end marker, EOS, padded to 77 with EOS as SD1.5's tokenizer pads."""
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

FILES = Path(__file__).resolve().parents[2] / "scripts" / "models" / "clip-tokenizer"
BOS, EOS, LENGTH = 49406, 49407, 77


class ClipTokenizer:
    def __init__(self, folder: Path = FILES):
        self.vocab = json.loads((folder / "vocab.json").read_text())
        merges = (folder / "merges.txt").read_text().split("\n")[1:49152 - 256 - 2 + 1]
        self.ranks = {tuple(m.split()): i for i, m in enumerate(merges)}

    @lru_cache(maxsize=None)
    def word(self, word: str) -> tuple:
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2:]
        return tuple(self.vocab[p] for p in parts)

    @lru_cache(maxsize=None)
    def encode(self, text: str) -> tuple:
        ids = [BOS] + [t for w in text.lower().split() for t in self.word(w)] + [EOS]
        if len(ids) > LENGTH:
            raise ValueError(f"caption longer than {LENGTH} tokens: {text!r}")
        return tuple(ids + [EOS] * (LENGTH - len(ids)))

    def batch(self, texts) -> np.ndarray:
        return np.array([self.encode(t) for t in texts], dtype=np.int64)
