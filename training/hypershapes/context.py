"""Text conditioning from the frozen text encoder, computed once per distinct caption.

After stage `text` the encoder stays frozen (as SD keeps CLIP frozen), so a caption's hidden states never change:
the teacher and the distillation stages look them up instead of running the encoder every step. The grammar has
about 6,500 distinct (partial) captions, 20 KB each."""
import torch

from .nets import ClipTextModel
from .tokenizer import ClipTokenizer


class CaptionContext:
    def __init__(self, text: ClipTextModel, tokenizer: ClipTokenizer | None = None):
        self.text = text.eval().requires_grad_(False)
        self.tokenizer = tokenizer or ClipTokenizer()
        self.cache: dict[str, torch.Tensor] = {}

    def __call__(self, captions) -> torch.Tensor:
        """last_hidden_state in the training layout [B, D, 7, 11] for each caption."""
        missing = list(dict.fromkeys(c for c in captions if c not in self.cache))
        if missing:
            with torch.no_grad():
                states = self.text(torch.from_numpy(self.tokenizer.batch(missing)))
            self.cache.update(zip(missing, states.clone().unbind(0)))
        return torch.stack([self.cache[c] for c in captions])
