"""A decoder that runs out of memory the way a real one does, for the OOM-split tests.

Scripted (not traced), so that its checks stay in the module: more than one latent per forward,
more than 16x16 latent pixels, or 5 channels raise the errors libtorch raises when an allocation
fails (CUDA's "out of memory", the CPU allocator's "not enough memory"). Otherwise it is the
identity on the first three channels, upsampled 8x.

Usage: python3 oom_decoder.py OUT.ts.pt
"""
import sys

import torch


class RunsOutOfMemory(torch.nn.Module):
    def forward(self, z):
        if z.shape[0] > 1:
            raise RuntimeError(
                "CUDA out of memory. Tried to allocate 2.00 GiB (simulated: more than one latent)")
        if z.shape[1] == 5:
            raise RuntimeError(
                "DefaultCPUAllocator: not enough memory: you tried to allocate 64 GiB (simulated)")
        if z.shape[2] * z.shape[3] > 256:
            raise RuntimeError(
                "DefaultCPUAllocator: not enough memory: you tried to allocate 8 GiB"
                " (simulated: more than 16x16 latent pixels)")
        x = z[:, :3]
        return x.repeat_interleave(8, dim=2).repeat_interleave(8, dim=3)


if __name__ == "__main__":
    torch.jit.save(torch.jit.script(RunsOutOfMemory()), sys.argv[1])
