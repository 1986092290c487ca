#!/usr/bin/env python3
"""Builds the demo decoder that ships with latent-decode: a latent *preview* decoder.

It is the fast approximation that diffusion UIs use to preview Stable Diffusion latents: a fixed linear map
from the 4 latent channels to RGB (the widely used SD 1.5 "latent RGB factors"), then an x8 bilinear
upsampling to image resolution. Its output is in about [-1, 1], like the real SD VAE's. The demo makes
latents that this map turns back into pictures, so the images it decodes are recognisable.

Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 job/src/main/python/make_demo_decoder.py job/src/main/resources/io/latentdecode/job/demo/preview-decoder.ts.pt
"""
import sys

import torch
import torch.nn.functional as F

# Latent channel -> (R, G, B) contribution, rows are latent channels (SD 1.5 preview factors).
LATENT_RGB_FACTORS = [
    [0.3512, 0.2297, 0.3227],
    [0.3250, 0.4974, 0.2350],
    [-0.2829, 0.1762, 0.2721],
    [-0.2120, -0.2616, -0.7177],
]


class PreviewDecoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.to_rgb = torch.nn.Conv2d(4, 3, kernel_size=1, bias=False)
        with torch.no_grad():
            weight = torch.tensor(LATENT_RGB_FACTORS, dtype=torch.float32).t()  # [3, 4]
            self.to_rgb.weight.copy_(weight.reshape(3, 4, 1, 1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        rgb = self.to_rgb(z)
        return F.interpolate(rgb, scale_factor=8.0, mode="bilinear", align_corners=False)


def main(path: str) -> None:
    decoder = PreviewDecoder().eval()
    for p in decoder.parameters():
        p.requires_grad_(False)
    scripted = torch.jit.script(decoder)
    check = scripted(torch.zeros(1, 4, 8, 12))
    assert tuple(check.shape) == (1, 3, 64, 96), check.shape
    scripted.save(path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "preview-decoder.ts.pt")
