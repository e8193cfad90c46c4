import sys, time
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parents[1]))
DIAG = __import__('os').environ.get('HYPERSHAPES_DIAG', '/tmp/diag')  # where the probes read and write
import numpy as np, torch, torch.nn as nn
from hypershapes import common, domain
from hypershapes.nets import ClipTextModel, TextConfig
from hypershapes.tokenizer import ClipTokenizer
common.setup_torch(); torch.manual_seed(0)
steps, batch = int(sys.argv[1]), int(sys.argv[2])
tok = ClipTokenizer(); text = ClipTextModel(TextConfig())
vocab = {"size": list(domain.SIZES), "colour": domain.COLOURS, "shape": domain.SHAPES, "position": domain.POSITION_NAMES, "background": domain.COLOURS}
heads = nn.ModuleDict({a: nn.Linear(64, len(v) + 1) for a, v in vocab.items()})
opt = torch.optim.AdamW(list(text.parameters()) + list(heads.parameters()), lr=1e-3, weight_decay=0.01)
t0 = time.time()
for step in range(steps):
    rng = np.random.default_rng([3, step])
    caps, labels = [], {a: [] for a in vocab}
    for _ in range(batch):
        s = domain.sample_scene(rng)
        empty = rng.random() < 0.1
        keep = {a: (not empty) and (a == "shape" or rng.random() >= 0.3) for a in domain.ATTRIBUTES}
        caps.append("" if empty else domain.caption(s, keep))
        for a in vocab: labels[a].append(vocab[a].index(s[a]) if keep[a] else len(vocab[a]))
    ids = torch.from_numpy(tok.batch(caps))
    grid = text(ids)  # [B, D, 7, 11]
    flat = grid.flatten(2)  # [B, D, 77]
    pooled = flat[torch.arange(batch), :, ids.argmax(-1)]
    loss = sum(nn.functional.cross_entropy(heads[a](pooled), torch.tensor(labels[a])) for a in vocab)
    opt.zero_grad(); loss.backward(); opt.step()
    if step % 50 == 0: print(step, f"{loss.item():.4f} {time.time()-t0:.0f}s", flush=True)
torch.save(text.state_dict(), DIAG + '/text-pre.pt'); print('done', time.time() - t0)
