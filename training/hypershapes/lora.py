"""LoRA on the UNet as torch parametrizations (weight = W + (alpha / rank) * up @ down), saved in kohya's format:
`lora_unet_<module path with _>.lora_down.weight` / `.lora_up.weight` / `.alpha`, the keys real Hyper-SD15 LoRAs use.

Targets: the transformer blocks' linears (attn1/attn2 to_q/k/v/out.0, ff.net.0.proj, ff.net.2), proj_in/proj_out
(1x1 convs), and the resnets' conv1/conv2 (3x3) and time_emb_proj."""
import torch
import torch.nn as nn
import torch.nn.utils.parametrize as parametrize

TARGET_SUFFIXES = ("to_q", "to_k", "to_v", "to_out.0", "ff.net.0.proj", "ff.net.2", "proj_in", "proj_out", "conv1", "conv2", "time_emb_proj")


class LoraDelta(nn.Module):
    def __init__(self, weight: torch.Tensor, rank: int):
        super().__init__()
        out_f, in_f = weight.shape[0], weight.shape[1]
        k = weight.shape[2:] if weight.dim() == 4 else ()
        self.rank = rank
        self.down = nn.Parameter(torch.randn(rank, in_f, *k) / (in_f * (k[0] * k[1] if k else 1)) ** 0.5)
        self.up = nn.Parameter(torch.zeros(out_f, rank, *((1, 1) if k else ())))
        self.scale = 1.0  # alpha / rank with alpha = rank
        self.enabled = True

    def delta(self):
        down = self.down.reshape(self.rank, -1)
        return (self.up.reshape(self.up.shape[0], self.rank) @ down).reshape(self.up.shape[0], *self.down.shape[1:])

    def forward(self, weight):
        return weight + self.scale * self.delta() if self.enabled else weight


def targets(unet: nn.Module):
    for name, module in unet.named_modules():
        if name.endswith(TARGET_SUFFIXES) and isinstance(module, (nn.Linear, nn.Conv2d)) and name.startswith(("down_blocks", "mid_block", "up_blocks")):
            yield name, module


def add_lora(unet: nn.Module, rank: int) -> dict:
    """Adds a zero-initialised LoRA to every target; returns {module name: LoraDelta}. 3x3 convolutions get half the
    rank: they hold most of the parameters, and the shipped LoRAs stay small."""
    loras = {}
    for name, module in list(targets(unet)):
        conv3 = module.weight.dim() == 4 and module.weight.shape[-1] == 3
        lora = LoraDelta(module.weight.detach(), rank // 2 if conv3 else rank)
        parametrize.register_parametrization(module, "weight", lora)
        loras[name] = lora
    return loras


def lora_parameters(loras: dict):
    return [p for l in loras.values() for p in l.parameters()]


def lora_state(loras: dict) -> dict:
    return {k: v.detach().clone() for k, v in nn.ModuleDict({n.replace(".", "__"): l for n, l in loras.items()}).state_dict().items()}


def load_lora_state(loras: dict, state: dict):
    nn.ModuleDict({n.replace(".", "__"): l for n, l in loras.items()}).load_state_dict(state)


def set_enabled(loras: dict, enabled: bool):
    for l in loras.values():
        l.enabled = enabled


def kohya_tensors(loras: dict, dtype=torch.float16) -> dict:
    out = {}
    for name, l in loras.items():
        key = "lora_unet_" + name.replace(".", "_")
        out[f"{key}.lora_down.weight"] = l.down.detach().to(dtype).contiguous()
        out[f"{key}.lora_up.weight"] = l.up.detach().to(dtype).contiguous()
        out[f"{key}.alpha"] = torch.tensor(float(l.rank), dtype=dtype)
    return out


def merged_unet_state(unet: nn.Module) -> dict:
    """The UNet's weights with the LoRAs folded in, under the plain (un-parametrized) names."""
    state = {}
    for k, v in unet.state_dict().items():
        if ".parametrizations.weight.original" in k:
            continue
        if ".parametrizations.weight.0." in k:
            continue
        state[k] = v
    for name, module in targets(unet):
        state[f"{name}.weight"] = module.weight.detach().clone()
    return state
