"""Stage `export`: the trained pipeline as a diffusers/Optimum ONNX folder (public/models/hyper-shapes/) through
torch.onnx.export in the token layout (Linear -> MatMul + Add, as a real SD1.5 export), the LoRAs as kohya
safetensors (public/models/loras/hyper-shapes-*.safetensors), and training/shipped.json with every file's sha256."""
import hashlib
import json
import shutil
import struct
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from .common import ROOT, WORK
from .layers import EXPORT
from .teacher import load_teacher
from .tokenizer import FILES as TOKENIZER_FILES
from .vae import load_vae

REPO = ROOT.parent
OPSET = 17
SCHEDULER = {
    "_class_name": "PNDMScheduler", "_diffusers_version": "0.27.2", "beta_end": 0.012, "beta_schedule": "scaled_linear",
    "beta_start": 0.00085, "clip_sample": False, "num_train_timesteps": 1000, "prediction_type": "epsilon",
    "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "timestep_spacing": "leading", "trained_betas": None,
}
# (stage, shipped LoRA name)
LORAS = [("tscd-8", "hyper-shapes-8step"), ("tscd-4", "hyper-shapes-4step"), ("tscd-2", "hyper-shapes-2step"),
         ("tscd-1", "hyper-shapes-1step"), ("unified", "hyper-shapes-unified"), ("refl-4", "hyper-shapes-4step-refl"),
         ("dmd-1", "hyper-shapes-1step-dmd"), ("cd-ablation", "hyper-shapes-cd-ablation")]


def json_file(path: Path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n")


class VaeDecoderExport(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.post_quant_conv, self.decoder = vae.post_quant_conv, vae.decoder

    def forward(self, latent_sample):
        return self.decoder(self.post_quant_conv(latent_sample))


class VaeEncoderExport(nn.Module):
    """sample [-1, 1] -> latent_sample: the posterior's mean (its mode), unscaled, as diffusers' encode().mode()."""

    def __init__(self, vae):
        super().__init__()
        self.encoder, self.quant_conv = vae.encoder, vae.quant_conv

    def forward(self, sample):
        return self.quant_conv(self.encoder(sample)).chunk(2, dim=1)[0]


def onnx_export(module, args, path: Path, inputs, outputs, axes):
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)


def write_safetensors(path: Path, tensors: dict, metadata: dict):
    """The safetensors layout: u64 header length, JSON header (sorted names, 8-byte aligned), raw little-endian data."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": {torch.float16: "F16", torch.float32: "F32"}[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def write_lora(out: Path, stage: str):
    """A stage's LoRA (WORK/<stage>.pt) as a kohya safetensors file."""
    write_safetensors(out, torch.load(WORK / f"{stage}.pt")["kohya"], {"ss_network_module": "networks.lora", "hyper_shapes_stage": stage, "ss_base_model_version": "sd_v1"})


def configs(text, unet, vae, scaling: float):
    tc, uc, vc = text.config, unet.config, vae.config
    vae_cfg = {
        "_class_name": "AutoencoderKL", "_diffusers_version": "0.27.2", "act_fn": "silu",
        "block_out_channels": vc.block_out_channels, "down_block_types": ["DownEncoderBlock2D"] * len(vc.block_out_channels),
        "in_channels": 3, "latent_channels": vc.latent_channels, "layers_per_block": vc.layers_per_block,
        "mid_block_add_attention": False, "norm_num_groups": vc.groups, "out_channels": 3, "sample_size": 64,
        "scaling_factor": round(scaling, 6), "up_block_types": ["UpDecoderBlock2D"] * len(vc.block_out_channels),
    }
    return {
        "text_encoder/config.json": {
            "_name_or_path": "hyper-sd-studio/hyper-shapes", "architectures": ["CLIPTextModel"], "attention_dropout": 0.0,
            "bos_token_id": 49406, "eos_token_id": 49407, "hidden_act": "quick_gelu", "hidden_size": tc.hidden_size,
            "intermediate_size": tc.intermediate_size, "layer_norm_eps": tc.eps, "max_position_embeddings": tc.max_positions,
            "model_type": "clip_text_model", "num_attention_heads": tc.heads, "num_hidden_layers": tc.layers,
            "pad_token_id": 49407, "projection_dim": tc.hidden_size, "torch_dtype": "float32", "vocab_size": tc.vocab_size,
        },
        "unet/config.json": {
            "_class_name": "UNet2DConditionModel", "_diffusers_version": "0.27.2", "act_fn": "silu",
            "attention_head_dim": uc.heads, "block_out_channels": uc.block_out_channels, "center_input_sample": False,
            "cross_attention_dim": uc.cross_attention_dim, "down_block_types": ["CrossAttnDownBlock2D"] * len(uc.block_out_channels),
            "downsample_padding": 1, "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": uc.in_channels,
            "layers_per_block": 1, "mid_block_scale_factor": 1, "mid_block_type": "UNetMidBlock2DCrossAttn",
            "norm_eps": 1e-5, "norm_num_groups": uc.groups, "out_channels": uc.in_channels, "sample_size": uc.sample_size,
            "time_embedding_type": "positional", "up_block_types": ["CrossAttnUpBlock2D"] * len(uc.block_out_channels),
            "use_linear_projection": False,
        },
        "vae_decoder/config.json": vae_cfg,
        "vae_encoder/config.json": vae_cfg,
        "scheduler/scheduler_config.json": SCHEDULER,
        "model_index.json": {
            "_class_name": "ORTStableDiffusionPipeline", "_diffusers_version": "0.27.2", "feature_extractor": [None, None],
            "requires_safety_checker": False, "safety_checker": [None, None], "scheduler": ["diffusers", "PNDMScheduler"],
            "text_encoder": ["optimum", "ORTModelTextEncoder"], "tokenizer": ["transformers", "CLIPTokenizer"],
            "unet": ["optimum", "ORTModelUnet"], "vae_decoder": ["optimum", "ORTModelVaeDecoder"],
            "vae_encoder": ["optimum", "ORTModelVaeEncoder"],
        },
    }


def tokenizer_files(folder: Path):
    special = {"content": None, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}
    token = lambda c: {**special, "content": c}
    added = lambda c: {"__type": "AddedToken", **token(c)}
    for name in ("vocab.json", "merges.txt", "LICENSE.md"):
        shutil.copyfile(TOKENIZER_FILES / name, folder / "tokenizer" / name)
    json_file(folder / "tokenizer/special_tokens_map.json", {"bos_token": token("<|startoftext|>"), "eos_token": token("<|endoftext|>"), "pad_token": "<|endoftext|>", "unk_token": token("<|endoftext|>")})
    json_file(folder / "tokenizer/tokenizer_config.json", {
        "add_prefix_space": False, "bos_token": added("<|startoftext|>"), "do_lower_case": True, "eos_token": added("<|endoftext|>"),
        "errors": "replace", "model_max_length": 77, "name_or_path": "openai/clip-vit-large-patch14", "pad_token": "<|endoftext|>",
        "tokenizer_class": "CLIPTokenizer", "unk_token": added("<|endoftext|>")})


REFERENCE_CAPTION = "a large red circle in the middle on a blue background"


def reference_outputs(text, unet, vae, path: Path):
    """What torch computes for fixed inputs, so a test can check that onnxruntime runs the exported files the same."""
    g = torch.Generator().manual_seed(0)
    latent = torch.randn(1, 4, 8, 8, generator=g)
    from .tokenizer import ClipTokenizer
    ids = torch.from_numpy(ClipTokenizer().batch([REFERENCE_CAPTION])).to(torch.int32)
    EXPORT.tokens = True
    try:
        with torch.no_grad():
            hidden, pooled = text(ids)
            eps = unet(latent, torch.tensor([999]), hidden)
            image = VaeDecoderExport(vae)(latent)
            encoded = VaeEncoderExport(vae)(image.clamp(-1, 1))
    finally:
        EXPORT.tokens = False
    flat = image.flatten()
    picks = list(range(0, flat.numel(), flat.numel() // 16))[:16]
    json_file(path, {
        "caption": REFERENCE_CAPTION, "timestep": 999, "latent": latent.flatten().tolist(),
        "text": {"sum": hidden.sum().item(), "abs_sum": hidden.abs().sum().item(), "row5": hidden[0, 5, :8].tolist(), "pooled_sum": pooled.sum().item()},
        "unet": {"out_sample": eps.flatten().tolist()},
        "vae_decoder": {"mean": image.mean().item(), "abs_mean": image.abs().mean().item(), "indices": picks, "values": flat[picks].tolist()},
        "vae_encoder": {"latent_sample": encoded.flatten().tolist()},
    })


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(models: Path = REPO / "public" / "models", manifest: Path = ROOT / "shipped.json"):
    text, unet = load_teacher()
    vae = load_vae()
    scaling = torch.load(WORK / "latents.pt")["scaling_factor"]
    folder = models / "hyper-shapes"
    (folder / "tokenizer").mkdir(parents=True, exist_ok=True)
    for rel, value in configs(text, unet, vae, scaling).items():
        json_file(folder / rel, value)
    tokenizer_files(folder)
    EXPORT.tokens = True
    try:
        ids = torch.full((1, 77), 49407, dtype=torch.int32)
        onnx_export(text, (ids,), folder / "text_encoder/model.onnx", ["input_ids"], ["last_hidden_state", "pooler_output"],
                    {"input_ids": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}, "pooler_output": {0: "batch_size"}})
        sample, ctx = torch.randn(2, 4, 8, 8), torch.randn(2, 77, text.config.hidden_size)
        onnx_export(unet, (sample, torch.tensor([999]), ctx), folder / "unet/model.onnx", ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
                    {"sample": {0: "batch_size", 2: "height", 3: "width"}, "timestep": {0: "steps"},
                     "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"}, "out_sample": {0: "batch_size", 2: "height", 3: "width"}})
        onnx_export(VaeDecoderExport(vae), (torch.randn(1, 4, 8, 8),), folder / "vae_decoder/model.onnx", ["latent_sample"], ["sample"],
                    {"latent_sample": {0: "batch_size", 2: "latent_height", 3: "latent_width"}, "sample": {0: "batch_size", 2: "height", 3: "width"}})
        onnx_export(VaeEncoderExport(vae), (torch.randn(1, 3, 64, 64),), folder / "vae_encoder/model.onnx", ["sample"], ["latent_sample"],
                    {"sample": {0: "batch_size", 2: "height", 3: "width"}, "latent_sample": {0: "batch_size", 2: "latent_height", 3: "latent_width"}})
    finally:
        EXPORT.tokens = False
    reference_outputs(text, unet, vae, ROOT / "reference-outputs.json" if models == REPO / "public" / "models" else models / "reference-outputs.json")
    shipped = sorted(p for p in folder.rglob("*") if p.is_file())
    for stage, name in LORAS:
        path = WORK / f"{stage}.pt"
        if not path.exists():
            print(f"[export] no {stage} LoRA yet; {name} not written", flush=True)
            continue
        out = models / "loras" / f"{name}.safetensors"
        write_lora(out, stage)
        shipped.append(out)
    timings = WORK / "timings.json"
    json_file(manifest, {
        "command": "npm run train",
        "timings_seconds": json.loads(timings.read_text()) if timings.exists() else {},
        "files": {str(p.relative_to(models.parent.parent)): {"sha256": sha256(p), "bytes": p.stat().st_size} for p in shipped},
    })
    total = sum(p.stat().st_size for p in shipped)
    print(f"[export] {len(shipped)} files, {total / 1e6:.1f} MB", flush=True)
