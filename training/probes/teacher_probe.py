import sys, time, copy, json, argparse
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parents[1]))
DIAG = __import__('os').environ.get('HYPERSHAPES_DIAG', '/tmp/diag')  # where the probes read and write
import numpy as np, torch
from hypershapes import common, domain, schedule
from hypershapes.nets import AutoencoderKL, VaeConfig, ClipTextModel, TextConfig, UNet2DConditionModel, UnetConfig
from hypershapes.vae import to_pixels
from hypershapes.tokenizer import ClipTokenizer
from hypershapes.teacher import sample_batch, ema_update
p = argparse.ArgumentParser()
p.add_argument('--vae'); p.add_argument('--steps', type=int); p.add_argument('--batch', type=int, default=128)
p.add_argument('--lr', type=float, default=4e-4); p.add_argument('--minsnr', type=float, default=0)
p.add_argument('--data', type=int, default=20000); p.add_argument('--tag'); p.add_argument('--sample-steps', type=int, default=25)
p.add_argument('--latents'); p.add_argument('--unet', default=''); p.add_argument('--text-init', default=''); p.add_argument('--text-lr', type=float, default=1.0); p.add_argument('--freeze-text', action='store_true')
a = p.parse_args()
common.setup_torch(); torch.manual_seed(0)
vae = AutoencoderKL(VaeConfig()); vae.load_state_dict(torch.load(a.vae)); vae.eval().requires_grad_(False)
if a.latents:
    data = torch.load(a.latents)
else:
    t0 = time.time()
    scenes, images = domain.make_dataset(a.data, seed=2)
    with torch.no_grad():
        lat = torch.cat([vae.encode(to_pixels(images[i:i+500]))[0] for i in range(0, a.data, 500)])
    sc = float(1 / lat.std()); data = {"latents": lat * sc, "scenes": scenes, "scaling_factor": sc}
    torch.save(data, f'{DIAG}/lat-{a.tag}.pt'); print('latents', time.time() - t0, sc, flush=True)
tok = ClipTokenizer()
ucfg = UnetConfig(**json.loads(a.unet)) if a.unet else UnetConfig()
text, unet = ClipTextModel(TextConfig()), UNet2DConditionModel(ucfg)
print('unet params', sum(p.numel() for p in unet.parameters()) / 1e6)
if a.text_init: text.load_state_dict(torch.load(a.text_init))
if a.freeze_text: text.requires_grad_(False)
params = ([] if a.freeze_text else list(text.parameters())) + list(unet.parameters())
opt = torch.optim.AdamW(([] if a.freeze_text else [{'params': list(text.parameters()), 'm': a.text_lr}]) + [{'params': list(unet.parameters()), 'm': 1.0}], lr=a.lr, weight_decay=0.01)
live = torch.nn.ModuleDict({"text": text, "unet": unet}); ema = copy.deepcopy(live).requires_grad_(False)
snr = schedule.ALPHAS_CUMPROD / (1 - schedule.ALPHAS_CUMPROD)
t0 = time.time()
for step in range(a.steps):
    rng = np.random.default_rng([1, step]); torch.manual_seed(step)
    for g in opt.param_groups:
        g["lr"] = g["m"] * a.lr * min(1, (step + 1) / 200) * (0.05 + 0.95 * 0.5 * (1 + np.cos(step / a.steps * np.pi)))
    x0, caps_ = sample_batch(data, rng, a.batch); ids = torch.from_numpy(tok.batch(caps_))
    noise = torch.randn_like(x0); t = torch.randint(0, schedule.T, (a.batch,))
    ctx = text(ids) if not a.freeze_text else text(ids).detach()
    pred = unet(schedule.add_noise(x0, noise, t), t, ctx)
    per = (pred - noise).pow(2).mean((1, 2, 3))
    if a.minsnr: per = per * (snr[t].clamp(max=a.minsnr) / snr[t])
    loss = per.mean()
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step()
    ema_update(ema, live, 0.995 if step > 500 else 0.99)
    if step % 200 == 0: print(step, f"loss {loss.item():.4f} {time.time()-t0:.0f}s", flush=True)
print('train', time.time() - t0, flush=True)
caps = json.load(open(DIAG + '/caps.json'))
te, ue = ema['text'].eval(), ema['unet'].eval()
with torch.no_grad():
    cond, unc = te(torch.from_numpy(tok.batch(caps))), te(torch.from_numpy(tok.batch([''] * len(caps))))
    g = torch.Generator().manual_seed(7); x = torch.randn(len(caps), 4, 8, 8, generator=g)
    ts = list(range(999, -1, -1000 // a.sample_steps))[:a.sample_steps]
    for i, t in enumerate(ts):
        s = ts[i + 1] if i + 1 < len(ts) else -1
        tt = torch.full((len(caps),), t)
        e = ue(x, tt, unc) + 4 * (ue(x, tt, cond) - ue(x, tt, unc))
        x, _ = schedule.ddim_jump(x, e, tt, torch.full((len(caps),), s))
    y = vae.decode(x / data["scaling_factor"])
((y.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy().tofile(f'{DIAG}/gen-{a.tag}.bin')
torch.save(ema.state_dict(), f'{DIAG}/teacher-{a.tag}.pt')
print('done', time.time() - t0, flush=True)
