import sys, json
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parents[1]))
DIAG = __import__('os').environ.get('HYPERSHAPES_DIAG', '/tmp/diag')  # where the probes read and write
import torch
from hypershapes import common, schedule
from hypershapes.nets import AutoencoderKL, VaeConfig, ClipTextModel, TextConfig, UNet2DConditionModel, UnetConfig
from hypershapes.tokenizer import ClipTokenizer
common.setup_torch()
state, steps, cfg, tag = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
vae = AutoencoderKL(VaeConfig()); vae.load_state_dict(torch.load(DIAG + '/vae-a.pt')); vae.eval()
sc = torch.load(DIAG + '/lat-base.pt')['scaling_factor']
text, unet = ClipTextModel(TextConfig()), UNet2DConditionModel(UnetConfig())
sd = torch.load(state)
text.load_state_dict({k[5:]: v for k, v in sd.items() if k.startswith('text.')}); unet.load_state_dict({k[5:]: v for k, v in sd.items() if k.startswith('unet.')})
tok = ClipTokenizer(); caps = json.load(open(DIAG + '/caps.json'))
with torch.no_grad():
    cond, unc = text(torch.from_numpy(tok.batch(caps))), text(torch.from_numpy(tok.batch([''] * len(caps))))
    x = torch.randn(len(caps), 4, 8, 8, generator=torch.Generator().manual_seed(7))
    y = vae.decode(schedule.ddim_sample(unet, x, cond, steps, cfg, unc) / sc)
((y.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy().tofile(f'{DIAG}/gen-{tag}.bin')
