#!/usr/bin/env python3
"""Builds latent-decode's own decode graphs: TorchScript programs without weights.

Each program is a scripted module with these methods:
  configure(config)  sets the architecture's numbers and the dtype the forward runs in;
  put(name, weight)  keeps a copy of one decoder tensor (by canonical name; float32 or float16,
                     bfloat16 ones arrive widened to float32), cast to that dtype on its device;
  put_all(weights)   the same for a dict of tensors at once (what a call through DJL's forward
                     can pass: the benchmark's autograd comparison loads weights that way);
  forward(z)         decodes float32 z [N, C, h, w] to float32 x [N, 3, 8h, 8w];
  decode_tiled(z, tile)
                     the same decode, tile by tile (tile: a one-element int64 tensor, the tile's
                     side in latent pixels), giving the same pixels as forward (see below).
The Java side reads safetensors, checks every tensor's name and shape against the architecture,
then configures a freshly loaded program and puts the tensors one by one (so that only one tensor
is ever staged twice), once per executor, device and precision. DJL runs every method with
c10::InferenceMode held, forward and decode_tiled through its predictor path.

Tiled decoding with shared statistics. Each decode is a head at latent resolution, run whole (for
AutoencoderKL the mid block with its attention, queries in chunks, and the first up block; for the
TAESD family the blocks before the first upsampling), then steps at growing resolution, run tile
by tile over a grid of the tile's side times the step's scale, non-overlapping. A tile's input is
cut from the step's input map with a margin of one pixel per 3x3 convolution between the input and
the output (the receptive field), so the tile's own region comes out exactly as in the whole
decode; only that region is kept. Every GroupNorm of a step normalises with the statistics of its
whole input map, accumulated over the tiles' own regions in float32 (per tile a mean and a sum of
squared deviations, combined as Chan et al. do), which takes a pass over the tiles per GroupNorm:
an AutoencoderKL ResNet step makes three (statistics of its input when an upsampling comes first,
of its first convolution's output, then the output itself), recomputing the cheap parts instead of
keeping them. Every pass cuts the same tiles with the same margin, so that the allocator can give
each pass the blocks the one before freed. Between steps only the step's input and output maps are held, never a whole map of
the intermediate activations. The TAESD family's steps after the head hold no GroupNorm: one pass
of tiles, each cut again after every resolution to what the next one needs.

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
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

# Per sample and group: pixel count, mean, sum of squared deviations from the mean (float32).
Stats = Tuple[Tensor, Tensor, Tensor]


def dtype_of(code: int) -> torch.dtype:
    if code == 1:
        return torch.float16
    if code == 2:
        return torch.bfloat16
    return torch.float32


def accumulate(stats: Optional[Stats], x: Tensor, groups: int) -> Stats:
    """Adds a tile's own region (a view, not copied) to the running GroupNorm statistics of its map."""
    n, c, h, w = x.shape
    t = x.reshape(n, groups, c // groups, h, w).float()
    var, mean = torch.var_mean(t, dim=[2, 3, 4], unbiased=False)
    count = torch.full_like(mean, float(c // groups * h * w))
    m2 = var * count
    if stats is None:
        return (count, mean, m2)
    c0, mean0, m20 = stats
    total = c0 + count
    delta = mean - mean0
    return (total, mean0 + delta * (count / total), m20 + m2 + delta * delta * (c0 * count / total))


def group_norm_with(x: Tensor, stats: Stats, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
    """GroupNorm of x with the given statistics instead of its own."""
    count, mean, m2 = stats
    n = x.shape[0]
    c = x.shape[1]
    per_group = c // mean.shape[1]
    rstd = torch.rsqrt(m2 / count + eps)
    scale = rstd.repeat_interleave(per_group, dim=1) * weight.float()
    shift = bias.float() - mean.repeat_interleave(per_group, dim=1) * scale
    scale = scale.reshape(n, c, 1, 1)
    shift = shift.reshape(n, c, 1, 1)
    if x.dtype == torch.float32:
        return torch.addcmul(shift, x, scale)
    return torch.addcmul(shift, x.float(), scale).to(x.dtype)


def tiles(height: int, width: int, side: int) -> List[List[int]]:
    """The grid of non-overlapping regions [y0, y1, x0, x1] of a map, side x side at most."""
    out: List[List[int]] = []
    for y in range(0, height, side):
        for x in range(0, width, side):
            out.append([y, min(height, y + side), x, min(width, x + side)])
    return out


def grown(region: List[int], margin: int, height: int, width: int) -> List[int]:
    """A region grown by a margin on every side, inside the map."""
    return [max(0, region[0] - margin), min(height, region[1] + margin),
            max(0, region[2] - margin), min(width, region[3] + margin)]


def halved(region: List[int]) -> List[int]:
    """The region of the map at half the resolution that nearest x2 upsampling makes this one from."""
    return [region[0] // 2, (region[1] + 1) // 2, region[2] // 2, (region[3] + 1) // 2]


def empty_map(like: Tensor, height: int, width: int) -> Tensor:
    """A map of like's batch, channels, dtype and device, height x width, in the order the graph's
    maps have on that device (channels-last on the CPU, see DecodeGraph.kept)."""
    order = torch.channels_last
    if like.is_cuda:
        order = torch.contiguous_format
    return torch.empty([like.shape[0], like.shape[1], height, width], dtype=like.dtype, device=like.device,
                       memory_format=order)


def cut(x: Tensor, origin: List[int], region: List[int]) -> Tensor:
    """The part of x (whose first pixel is at origin [y, x] of its map) that covers the region."""
    return x[:, :, region[0] - origin[0]:region[1] - origin[0], region[2] - origin[1]:region[3] - origin[1]]


class DecodeGraph(torch.nn.Module):
    """What every graph program has: the weights it was given, cast to the dtype it runs in."""

    w: Dict[str, Tensor]

    def __init__(self):
        super().__init__()
        self.w = {}
        self.dtype_code = 0

    def kept(self, weight: Tensor) -> Tensor:
        """The copy of a weight the graph keeps: in its dtype, and on the CPU a convolution's kernel
        in channels-last order, so that oneDNN's convolutions take and give channels-last maps and
        every map of the decode stays in that order (no reorders around each convolution, about a
        third fewer fresh pages per forward)."""
        kept = weight.to(dtype_of(self.dtype_code), copy=True)
        if kept.dim() == 4 and not kept.is_cuda:
            kept = kept.contiguous(memory_format=torch.channels_last)
        return kept

    @torch.jit.export
    def put(self, name: str, weight: Tensor) -> Tensor:
        self.w[name] = self.kept(weight)
        return torch.tensor([len(self.w)])

    @torch.jit.export
    def put_all(self, weights: Dict[str, Tensor]) -> Tensor:
        for name, weight in weights.items():
            self.w[name] = self.kept(weight)
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

    def norm(self, x: Tensor, name: str, stats: Optional[Stats]) -> Tensor:
        """GroupNorm with x's own statistics, or with the given ones (a tile of a larger map)."""
        if stats is None:
            return F.group_norm(x, self.groups, self.w[name + ".weight"], self.w[name + ".bias"], 1e-6)
        return group_norm_with(x, stats, self.w[name + ".weight"], self.w[name + ".bias"], 1e-6)

    def resnet_first(self, x: Tensor, name: str, stats: Optional[Stats]) -> Tensor:
        """A ResNet block's first half: norm1, SiLU, conv1."""
        return self.conv(F.silu(self.norm(x, name + ".norm1", stats)), name + ".conv1", 1)

    def resnet_second(self, x: Tensor, h: Tensor, name: str, stats: Optional[Stats]) -> Tensor:
        """A ResNet block's second half on its first half's output h: norm2, SiLU, conv2, skip."""
        h = self.conv(F.silu(self.norm(h, name + ".norm2", stats)), name + ".conv2", 1)
        if name + ".conv_shortcut.weight" in self.w:
            x = self.conv(x, name + ".conv_shortcut", 0)
        return x + h

    def resnet(self, x: Tensor, name: str) -> Tensor:
        return self.resnet_second(x, self.resnet_first(x, name, None), name, None)

    def attend(self, x: Tensor, name: str) -> Tensor:
        """Single-head self-attention over the pixels, queries in chunks to bound memory."""
        n, c, h, w = x.shape
        # [n, h * w, c]: a view of a channels-last map, a copy of a contiguous one.
        t = self.norm(x, name + ".group_norm", None).permute(0, 2, 3, 1).reshape(n, h * w, c)
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
        return x + out.reshape(n, h, w, c).permute(0, 3, 1, 2)

    def head(self, z: Tensor) -> Tensor:
        """Everything at latent resolution: post_quant_conv, conv_in, the mid block, up block 0."""
        x = z.to(dtype_of(self.dtype_code))
        if self.post_quant == 1:
            x = self.conv(x, "post_quant_conv", 0)
        x = self.conv(x, "decoder.conv_in", 1)
        x = self.resnet(x, "decoder.mid_block.resnets.0")
        if self.attention == 1:
            x = self.attend(x, "decoder.mid_block.attentions.0")
        x = self.resnet(x, "decoder.mid_block.resnets.1")
        for r in range(self.resnets):
            x = self.resnet(x, "decoder.up_blocks.0.resnets." + str(r))
        return x

    def steps(self) -> List[Tuple[str, str]]:
        """The ResNet blocks after the head, each with the upsampler that comes first ("" if none)."""
        out: List[Tuple[str, str]] = []
        for b in range(1, self.up_blocks):
            for r in range(self.resnets):
                before = ""
                if r == 0:
                    before = "decoder.up_blocks." + str(b - 1) + ".upsamplers.0.conv"
                out.append(("decoder.up_blocks." + str(b) + ".resnets." + str(r), before))
        return out

    def upsample(self, x: Tensor, name: str) -> Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"), name, 1)

    def out(self, x: Tensor, stats: Optional[Stats]) -> Tensor:
        return self.conv(F.silu(self.norm(x, "decoder.conv_norm_out", stats)), "decoder.conv_out", 1)

    def forward(self, z: Tensor) -> Tensor:
        x = self.head(z)
        for name, before in self.steps():
            if before != "":
                x = self.upsample(x, before)
            x = self.resnet(x, name)
        return self.out(x, None).float()

    def step_input(self, m: Tensor, region: List[int], before: str, margin: int) -> Tuple[Tensor, List[int]]:
        """A step's input over the region grown by margin, cut from the step's input map m (through
        the upsampler when one comes first), and the map position of its first pixel."""
        if before == "":
            g = grown(region, margin, m.shape[2], m.shape[3])
            return cut(m, [0, 0], g), [g[0], g[2]]
        low = halved(grown(region, margin + 1, 2 * m.shape[2], 2 * m.shape[3]))
        return self.upsample(cut(m, [0, 0], low), before), [2 * low[0], 2 * low[2]]

    def tiled_resnet(self, m: Tensor, m_stats: Optional[Stats], name: str, before: str,
                     side: int) -> Tuple[Tensor, Stats]:
        """One ResNet step over tiles: its output map and that map's statistics."""
        scale = 1
        if before != "":
            scale = 2
        height = m.shape[2] * scale
        width = m.shape[3] * scale
        grid = tiles(height, width, side)
        x_stats = m_stats
        if x_stats is None or before != "":
            fresh: Optional[Stats] = None
            for region in grid:
                x, origin = self.step_input(m, region, before, 2)
                fresh = accumulate(fresh, cut(x, origin, region), self.groups)
            x_stats = fresh
        assert x_stats is not None
        h_stats: Optional[Stats] = None
        for region in grid:
            x, origin = self.step_input(m, region, before, 2)
            h = self.resnet_first(x, name, x_stats)
            h_stats = accumulate(h_stats, cut(h, origin, region), self.groups)
        assert h_stats is not None
        result = torch.empty(0)
        out_stats: Optional[Stats] = None
        for region in grid:
            x, origin = self.step_input(m, region, before, 2)
            y = cut(self.resnet_second(x, self.resnet_first(x, name, x_stats), name, h_stats), origin, region)
            if result.dim() == 1:
                result = empty_map(y, height, width)
            result[:, :, region[0]:region[1], region[2]:region[3]] = y
            out_stats = accumulate(out_stats, y, self.groups)
        assert out_stats is not None
        return result, out_stats

    @torch.jit.export
    def decode_tiled(self, z: Tensor, tile: Tensor) -> Tensor:
        side = int(tile[0].item())
        m = self.head(z)
        m_stats: Optional[Stats] = None
        for name, before in self.steps():
            if before != "":
                side = side * 2
            m, step_stats = self.tiled_resnet(m, m_stats, name, before, side)
            m_stats = step_stats
        if m_stats is None:
            m_stats = accumulate(None, m, self.groups)
        image = torch.empty(0)
        for region in tiles(m.shape[2], m.shape[3], side):
            x, origin = self.step_input(m, region, "", 1)
            y = cut(self.out(x, m_stats), origin, region).float()
            if image.dim() == 1:
                image = empty_map(y, m.shape[2], m.shape[3])
            image[:, :, region[0]:region[1], region[2]:region[3]] = y
        return image


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

    def layer(self, x: Tensor, i: int) -> Tensor:
        if i == 7 or i == 12 or i == 17 or i == 19:
            return self.conv(x, str(i))
        return self.block(x, i)

    def head(self, z: Tensor) -> Tensor:
        """Layers 0-5, at latent resolution: the clamp, the first conv and three blocks."""
        x = z.to(dtype_of(self.dtype_code))
        x = torch.tanh(x / 3.0) * 3.0
        x = F.relu(self.conv(x, "1"))
        for i in range(3, 6):
            x = self.block(x, i)
        return x

    def levels(self) -> List[List[int]]:
        """The layers after each x2 upsampling (6, 11, 16)."""
        return [[7, 8, 9, 10], [12, 13, 14, 15], [17, 18, 19]]

    def forward(self, z: Tensor) -> Tensor:
        x = self.head(z)
        for level in self.levels():
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
            for i in level:
                x = self.layer(x, i)
        return x.float()

    @torch.jit.export
    def decode_tiled(self, z: Tensor, tile: Tensor) -> Tensor:
        side = int(tile[0].item()) * 8
        m = self.head(z)
        levels = self.levels()
        for level in levels:
            for i in level:
                if str(i) + ".pool.0.weight" in self.w:
                    raise RuntimeError("tiled decoding with shared statistics needs every GroupNorm at latent resolution")
        height = m.shape[2] * 8
        width = m.shape[3] * 8
        image = torch.empty(0)
        for region in tiles(height, width, side):
            # What each level needs, from the output back: one pixel per 3x3 conv, halved per upsampling.
            needed: List[List[int]] = [region]
            h = height
            w = width
            for k in range(len(levels) - 1, -1, -1):
                convs = 0
                for i in levels[k]:
                    convs += 1 if i == 7 or i == 12 or i == 17 or i == 19 else 3
                needed.insert(0, halved(grown(needed[0], convs, h, w)))
                h = h // 2
                w = w // 2
            x = cut(m, [0, 0], needed[0])
            origin = [needed[0][0], needed[0][2]]
            for k in range(len(levels)):
                x = F.interpolate(x, scale_factor=2.0, mode="nearest")
                origin = [2 * origin[0], 2 * origin[1]]
                for i in levels[k]:
                    x = self.layer(x, i)
                x = cut(x, origin, needed[k + 1])
                origin = [needed[k + 1][0], needed[k + 1][2]]
            y = x.float()
            if image.dim() == 1:
                image = empty_map(y, height, width)
            image[:, :, region[0]:region[1], region[2]:region[3]] = y
        return image


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
