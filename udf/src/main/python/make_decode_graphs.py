#!/usr/bin/env python3
"""Builds latent-decode's own decode graphs: TorchScript programs without weights.

Each program is a scripted module with three methods:
  configure(config)  sets the architecture's numbers and the dtype the forward runs in;
  put(name, weight)  keeps a copy of one decoder tensor (by canonical name; float32 or float16,
                     bfloat16 ones arrive widened to float32), cast to that dtype on its device;
  put_all(weights)   the same for a dict of tensors at once (what a call through DJL's forward
                     can pass: the benchmark's autograd comparison loads weights that way);
  forward(z)         decodes float32 z [N, C, h, w] to float32 x [N, 3, 8h, 8w].
The Java side reads safetensors, checks every tensor's name and shape against the architecture,
then configures a freshly loaded program and puts the tensors one by one (so that only one tensor
is ever staged twice), once per executor, device and precision. DJL runs all three methods with
c10::InferenceMode held, forward through its predictor path like any TorchScript decoder.

config (a list of ints):
  autoencoder_kl: [dtype, norm_groups, up_blocks, resnets_per_up_block, post_quant_conv, attention,
                   attention_query_chunk]
  taesd:          [dtype]
dtype: 0 float32, 1 float16, 2 bfloat16.

Run with Debian's PyTorch 1.13 (apt-get install python3-torch); libtorch 2.7.1 in DJL loads the files:
    /usr/bin/python3 udf/src/main/python/make_decode_graphs.py udf/src/main/resources/io/latentdecode/udf/graphs
"""
import os
import sys
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor


def dtype_of(code: int) -> torch.dtype:
    if code == 1:
        return torch.float16
    if code == 2:
        return torch.bfloat16
    return torch.float32


class DecodeGraph(torch.nn.Module):
    """What every graph program has: the weights it was given, cast to the dtype it runs in."""

    w: Dict[str, Tensor]

    def __init__(self):
        super().__init__()
        self.w = {}
        self.dtype_code = 0

    @torch.jit.export
    def put(self, name: str, weight: Tensor) -> Tensor:
        self.w[name] = weight.to(dtype_of(self.dtype_code), copy=True)
        return torch.tensor([len(self.w)])

    @torch.jit.export
    def put_all(self, weights: Dict[str, Tensor]) -> Tensor:
        for name, weight in weights.items():
            self.w[name] = weight.to(dtype_of(self.dtype_code), copy=True)
        return torch.tensor([len(self.w)])


class AutoencoderKLDecode(DecodeGraph):
    """diffusers' AutoencoderKL decode path (post_quant_conv, then the Decoder), by tensor name."""

    def __init__(self):
        super().__init__()
        self.groups = 32
        self.up_blocks = 4
        self.resnets = 2
        self.post_quant = 1
        self.attention = 1
        self.query_chunk = 4096

    @torch.jit.export
    def configure(self, config: List[int]) -> Tensor:
        self.dtype_code = config[0]
        self.groups = config[1]
        self.up_blocks = config[2]
        self.resnets = config[3]
        self.post_quant = config[4]
        self.attention = config[5]
        self.query_chunk = config[6]
        return torch.tensor(config)


    def conv(self, x: Tensor, name: str, padding: int) -> Tensor:
        return F.conv2d(x, self.w[name + ".weight"], self.w[name + ".bias"], 1, padding)

    def norm(self, x: Tensor, name: str) -> Tensor:
        return F.group_norm(x, self.groups, self.w[name + ".weight"], self.w[name + ".bias"], 1e-6)

    def resnet(self, x: Tensor, name: str) -> Tensor:
        h = self.conv(F.silu(self.norm(x, name + ".norm1")), name + ".conv1", 1)
        h = self.conv(F.silu(self.norm(h, name + ".norm2")), name + ".conv2", 1)
        if name + ".conv_shortcut.weight" in self.w:
            x = self.conv(x, name + ".conv_shortcut", 0)
        return x + h

    def attend(self, x: Tensor, name: str) -> Tensor:
        """Single-head self-attention over the pixels, queries in chunks to bound memory."""
        n, c, h, w = x.shape
        t = self.norm(x, name + ".group_norm").reshape(n, c, h * w).transpose(1, 2)
        q = F.linear(t, self.w[name + ".to_q.weight"], self.w[name + ".to_q.bias"])
        k = F.linear(t, self.w[name + ".to_k.weight"], self.w[name + ".to_k.bias"])
        v = F.linear(t, self.w[name + ".to_v.weight"], self.w[name + ".to_v.bias"])
        scale = float(c) ** -0.5
        kt = k.transpose(1, 2)
        parts: List[Tensor] = []
        for start in range(0, h * w, self.query_chunk):
            scores = torch.bmm(q[:, start:start + self.query_chunk] * scale, kt)
            parts.append(torch.bmm(scores.softmax(dim=-1, dtype=torch.float32).to(v.dtype), v))
        out = torch.cat(parts, dim=1)
        out = F.linear(out, self.w[name + ".to_out.0.weight"], self.w[name + ".to_out.0.bias"])
        return x + out.transpose(1, 2).reshape(n, c, h, w)

    def forward(self, z: Tensor) -> Tensor:
        x = z.to(dtype_of(self.dtype_code))
        if self.post_quant == 1:
            x = self.conv(x, "post_quant_conv", 0)
        x = self.conv(x, "decoder.conv_in", 1)
        x = self.resnet(x, "decoder.mid_block.resnets.0")
        if self.attention == 1:
            x = self.attend(x, "decoder.mid_block.attentions.0")
        x = self.resnet(x, "decoder.mid_block.resnets.1")
        for b in range(self.up_blocks):
            block = "decoder.up_blocks." + str(b)
            for r in range(self.resnets):
                x = self.resnet(x, block + ".resnets." + str(r))
            if b < self.up_blocks - 1:
                x = F.interpolate(x, scale_factor=2.0, mode="nearest")
                x = self.conv(x, block + ".upsamplers.0.conv", 1)
        x = F.silu(self.norm(x, "decoder.conv_norm_out"))
        x = self.conv(x, "decoder.conv_out", 1)
        return x.float()


class TaesdDecode(DecodeGraph):
    """madebyollin's TAESD-family decoder (TAESD, TAESDXL, TAESD3, TAEF1, TAEF2), by tensor name.

    The layers of its nn.Sequential: 0 clamp, 1 conv, 2 ReLU, 3-5 blocks, 6 upsample, 7 conv,
    8-10 blocks, 11 upsample, 12 conv, 13-15 blocks, 16 upsample, 17 conv, 18 block, 19 conv. A block
    is three 3x3 convs with ReLUs, a 1x1 skip conv when present, and (TAEF2) a pooled GroupNorm
    branch added first.
    """

    @torch.jit.export
    def configure(self, config: List[int]) -> Tensor:
        self.dtype_code = config[0]
        return torch.tensor(config)


    def conv(self, x: Tensor, name: str) -> Tensor:
        weight = self.w[name + ".weight"]
        bias: Optional[Tensor] = None
        if name + ".bias" in self.w:
            bias = self.w[name + ".bias"]
        return F.conv2d(x, weight, bias, 1, weight.shape[-1] // 2)

    def block(self, x: Tensor, i: int) -> Tensor:
        name = str(i)
        if name + ".pool.0.weight" in self.w:
            p = self.conv(x, name + ".pool.0")
            groups = 4
            p = F.group_norm(p, groups, self.w[name + ".pool.1.weight"], self.w[name + ".pool.1.bias"], 1e-5)
            x = x + self.conv(F.relu(p), name + ".pool.3")
        h = F.relu(self.conv(x, name + ".conv.0"))
        h = F.relu(self.conv(h, name + ".conv.2"))
        h = self.conv(h, name + ".conv.4")
        skip = x
        if name + ".skip.weight" in self.w:
            skip = self.conv(x, name + ".skip")
        return F.relu(h + skip)

    def forward(self, z: Tensor) -> Tensor:
        x = z.to(dtype_of(self.dtype_code))
        x = torch.tanh(x / 3.0) * 3.0
        x = F.relu(self.conv(x, "1"))
        for i in range(3, 19):
            if i == 6 or i == 11 or i == 16:
                x = F.interpolate(x, scale_factor=2.0, mode="nearest")
            elif i == 7 or i == 12 or i == 17:
                x = self.conv(x, str(i))
            else:
                x = self.block(x, i)
        x = self.conv(x, "19")
        return x.float()


def main(out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    for name, module in (("autoencoder_kl", AutoencoderKLDecode()), ("taesd", TaesdDecode())):
        path = os.path.join(out_dir, name + ".ts.pt")
        torch.jit.save(torch.jit.script(module.eval()), path)
        print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_decode_graphs.py OUT_DIR")
    main(sys.argv[1])
