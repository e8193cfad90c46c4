import sys, json
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parents[1]))
DIAG = __import__('os').environ.get('HYPERSHAPES_DIAG', '/tmp/diag')  # where the probes read and write
import numpy as np
from hypershapes import domain
rng = np.random.default_rng(5)
held = domain.SCENES["heldOut"]
imgs, caps = [], []
for i in range(128):
    s = held[i % len(held)]
    imgs.append(domain.render(s, rng)); caps.append(domain.caption(s))
np.stack(imgs).astype(np.uint8).tofile(DIAG + '/renders.bin')
json.dump(caps, open(DIAG + '/caps.json','w'))
print(len(caps))
