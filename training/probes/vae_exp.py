import sys, time, os
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parents[1]))
DIAG = __import__('os').environ.get('HYPERSHAPES_DIAG', '/tmp/diag')  # where the probes read and write
import numpy as np, torch
from hypershapes import common, domain
from hypershapes.nets import AutoencoderKL, VaeConfig
from hypershapes.vae import to_pixels
common.setup_torch()
steps, kl_w, obj_w, batch = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
tag = sys.argv[5]
torch.manual_seed(0)
_, images = domain.make_dataset(16000, seed=1)
bg = images[:, :, :1, :1]
masks = (np.abs(images.astype(np.int16) - bg).sum(1, keepdims=True) > 0).astype(np.float32)
vae = AutoencoderKL(VaeConfig()); lr = 1e-3
opt = torch.optim.AdamW(vae.parameters(), lr=lr, weight_decay=0)
rng = np.random.default_rng(0); t0 = time.time()
for step in range(steps):
    for g in opt.param_groups:
        g["lr"] = lr * min(1, (step + 1) / 100) * (0.1 + 0.9 * (1 - step / steps))
    idx = rng.integers(len(images), size=batch)
    x = to_pixels(images[idx]); w = 1 + obj_w * torch.from_numpy(masks[idx])
    w = w / w.mean()
    mean, logvar = vae.encode(x)
    z = mean + (0.5 * logvar).exp() * torch.randn_like(mean)
    recon = vae.decode(z)
    rec = (w * ((recon - x).abs() + (recon - x).pow(2))).mean()
    kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
    loss = rec + kl_w * kl
    opt.zero_grad(); loss.backward(); opt.step()
    if step % 200 == 0: print(step, f"rec {rec.item():.4f} kl {kl.item():.2f} std {(0.5*logvar).exp().mean().item():.3f} {time.time()-t0:.0f}s", flush=True)
raw = np.fromfile(DIAG + '/renders.bin', np.uint8).reshape(-1, 64, 64, 3).transpose(0, 3, 1, 2)
with torch.no_grad():
    m, lv = vae.encode(to_pixels(np.ascontiguousarray(raw)))
    y = vae.decode(m)
print("latent std", m.std().item(), "posterior std", (0.5*lv).exp().mean().item())
out = ((y.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
out.tofile(f'{DIAG}/rt-{tag}.bin')
torch.save(vae.state_dict(), f'{DIAG}/vae-{tag}.pt')
print("done", time.time() - t0)
