#!/usr/bin/env python3
"""Export a VAE decoder to TorchScript for latent-decode, with its preset file.

Three ways in:
  * a TorchScript decoder you already have:  --torchscript decoder.ts.pt  (to add half-precision
    variants and a preset; the file is copied as the float32 export);
  * a plain PyTorch module:  --module my_pkg.my_file:make_decoder  (a function returning an
    nn.Module whose forward takes a latent [N, C, h, w] and returns images [N, 3, H, W]);
  * a diffusers VAE:         --diffusers stabilityai/sdxl-vae  (or a local folder; needs the
    `diffusers` package). The decoder part is exported: post_quant_conv + decoder, i.e.
    vae.decode(z).sample, and the preset takes scaling/shift/mean/std/channels from vae.config.

It traces the decoder with a sample latent (optionally in channels-last memory format, about
1.3x faster on CPU), checks that the traced module reproduces the eager one on a latent of
another size, and writes:
  OUT/NAME.ts.pt           float32 decoder (the --model of a run)
  OUT/NAME.fp16.ts.pt      half-precision exports, one per extra --precisions entry; they take
  OUT/NAME.bf16.ts.pt      and return float32 and cast inside (used by --precision fp16|bf16)
  OUT/NAME.json            the preset (--preset OUT/NAME.json)

Runs with PyTorch >= 1.13 (Debian's python3-torch); DJL's PyTorch 2.7.1 loads its files.
"""
import argparse
import copy
import importlib
import io
import json
import os
import sys

import torch


class DecodeOnly(torch.nn.Module):
    """vae.decode(z).sample of a diffusers VAE, as a module with a tensor-only forward."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, z):
        return self.vae.decode(z, return_dict=False)[0]


class CastAround(torch.nn.Module):
    """Runs a decoder in half precision behind a float32 interface."""

    def __init__(self, inner, dtype: torch.dtype):
        super().__init__()
        self.inner = inner
        self.dtype = dtype

    def forward(self, z):
        return self.inner(z.to(self.dtype)).float()


DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--module", help="pkg.module:factory returning the decoder nn.Module")
    src.add_argument("--diffusers", help="diffusers VAE: hub id or local folder")
    src.add_argument("--torchscript", help="an existing TorchScript decoder file")
    p.add_argument("--module-path", default=".", help="folder to import --module from")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--name", required=True, help="file name stem, e.g. sdxl-vae")
    p.add_argument("--channels", type=int, help="latent channels (default: from the model)")
    p.add_argument("--sample-size", type=int, nargs=2, default=[32, 32], metavar=("H", "W"),
                   help="latent size of the tracing sample (default 32 32)")
    p.add_argument("--channels-last", action="store_true",
                   help="export with channels-last weights (faster on CPU)")
    p.add_argument("--precisions", default="fp32",
                   help="comma list of fp32, fp16, bf16 (default fp32)")
    p.add_argument("--scaling-factor", type=float)
    p.add_argument("--shift-factor", type=float)
    p.add_argument("--latents-mean", type=float, nargs="+")
    p.add_argument("--latents-std", type=float, nargs="+")
    p.add_argument("--output-range", choices=["-1,1", "0,1"])
    p.add_argument("--tolerance", type=float, default=1e-4,
                   help="max abs difference allowed between traced and eager (fp32)")
    return p.parse_args(argv)


def load_module(args):
    sys.path.insert(0, os.path.abspath(args.module_path))
    module_name, _, factory = args.module.partition(":")
    decoder = getattr(importlib.import_module(module_name), factory or "make_decoder")()
    preset = {"scaling_factor": 1.0, "shift_factor": 0.0, "latents_mean": None,
              "latents_std": None, "latent_channels": args.channels, "output_range": "-1,1"}
    return decoder, preset


def load_torchscript(args):
    decoder = torch.jit.load(args.torchscript, map_location="cpu")
    preset = {"scaling_factor": 1.0, "shift_factor": 0.0, "latents_mean": None,
              "latents_std": None, "latent_channels": args.channels, "output_range": "-1,1"}
    return decoder, preset


def load_diffusers(args):
    try:
        import diffusers
    except ImportError:
        sys.exit("--diffusers needs the diffusers package: pip install diffusers")
    try:
        vae = diffusers.AutoencoderKL.from_pretrained(args.diffusers)
    except Exception:
        vae = diffusers.AutoencoderTiny.from_pretrained(args.diffusers)
    cfg = vae.config
    preset = {
        "scaling_factor": float(getattr(cfg, "scaling_factor", 1.0) or 1.0),
        "shift_factor": float(getattr(cfg, "shift_factor", 0.0) or 0.0),
        "latents_mean": list(cfg.latents_mean) if getattr(cfg, "latents_mean", None) else None,
        "latents_std": list(cfg.latents_std) if getattr(cfg, "latents_std", None) else None,
        "latent_channels": int(cfg.latent_channels),
        "output_range": "-1,1",
    }
    return DecodeOnly(vae), preset


def trace(decoder, sample, channels_last):
    if channels_last:
        decoder = decoder.to(memory_format=torch.channels_last)
    with torch.inference_mode():
        traced = torch.jit.trace(decoder, sample, check_trace=False)
    return traced


def max_diff(a, b):
    return (a.float() - b.float()).abs().max().item()


def main(argv=None):
    args = parse_args(argv)
    if args.module:
        decoder, preset = load_module(args)
    elif args.torchscript:
        decoder, preset = load_torchscript(args)
    else:
        decoder, preset = load_diffusers(args)
    decoder = decoder.eval().float()
    for key in ("scaling_factor", "shift_factor", "latents_mean", "latents_std", "output_range"):
        value = getattr(args, key)
        if value is not None:
            preset[key] = value
    channels = args.channels or preset["latent_channels"]
    if not channels:
        sys.exit("--channels is needed: the latent channel count of the decoder")
    preset["latent_channels"] = channels
    precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
    for p in precisions:
        if p not in ("fp32", "fp16", "bf16"):
            sys.exit("--precisions: unknown precision %r (fp32, fp16, bf16)" % p)
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(0)
    h, w = args.sample_size
    sample = torch.randn(1, channels, h, w)
    if args.torchscript and not args.channels_last:
        traced = decoder  # already TorchScript: exported as it is
    else:
        traced = trace(copy.deepcopy(decoder), sample, args.channels_last)
    # The check uses another size and batch, so that shapes baked into the trace show up.
    check = torch.randn(2, channels, h + 8, w + 16)
    with torch.inference_mode():
        eager = decoder(check)
        diff = max_diff(traced(check), eager)
    print("traced vs eager: max abs difference %.3g on %s" % (diff, list(check.shape)))
    if not diff <= args.tolerance:
        sys.exit("the traced decoder does not reproduce the eager one (max abs difference %.3g >"
                 " %.3g); the model may branch on shapes or values: script it instead" %
                 (diff, args.tolerance))
    path = os.path.join(args.out, args.name + ".ts.pt")
    torch.jit.save(traced, path)
    print("wrote", path)

    for p in precisions:
        if p == "fp32":
            continue
        dtype = DTYPES[p]
        half = copy.deepcopy(decoder).to(dtype)
        with torch.inference_mode():
            try:
                traced_half = torch.jit.trace(CastAround(half, dtype), sample, check_trace=False)
                out = traced_half(check)
                print("%s vs fp32 eager: max abs difference %.3g (inf/nan: %s)" % (
                    p, max_diff(out, eager), bool((~torch.isfinite(out)).any())))
            except RuntimeError as e:
                # e.g. PyTorch < 2.1 has no half-precision convolution on the CPU: trace the
                # float32 graph around the cast instead and check it where it can run.
                print("%s: cannot run on this machine's CPU (%s); exporting untested" % (
                    p, [line for line in str(e).splitlines() if line.strip()][-1].strip()))
                traced_half = torch.jit.script(CastAround(half, dtype))
        half_path = os.path.join(args.out, "%s.%s.ts.pt" % (args.name, p))
        torch.jit.save(traced_half, half_path)
        print("wrote", half_path)

    preset_path = os.path.join(args.out, args.name + ".json")
    with open(preset_path, "w") as f:
        json.dump(dict(name=args.name, description="exported by notebooks/export_decoder.py",
                       **preset), f, indent=2)
        f.write("\n")
    print("wrote", preset_path)


if __name__ == "__main__":
    main()
