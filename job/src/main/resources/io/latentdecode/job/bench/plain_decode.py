"""The plain PyTorch script latent-decode's benchmark compares the job with: what a user would
write instead of the job. Loads a TorchScript decoder, decodes the .npy latents of a folder in
batches under torch.inference_mode() with PyTorch's default threads, and saves each image with
Pillow as a PNG (its default compression), one after another on the same thread.

    /usr/bin/python3 plain_decode.py MODEL INPUT_DIR OUTPUT_DIR BATCH_SIZE OUTPUT_RANGE
OUTPUT_RANGE is 0,1 (TAESD family) or -1,1 (AutoencoderKL). Needs Debian's python3-torch,
python3-numpy and python3-pil.
"""
import os
import sys

import numpy as np
import torch
from PIL import Image


def main(model_path, input_dir, output_dir, batch_size, output_range):
    decoder = torch.jit.load(model_path).eval()
    names = sorted(n for n in os.listdir(input_dir) if n.endswith(".npy"))
    os.makedirs(output_dir, exist_ok=True)
    with torch.inference_mode():
        for start in range(0, len(names), batch_size):
            batch = names[start:start + batch_size]
            z = torch.from_numpy(np.stack([np.load(os.path.join(input_dir, n)) for n in batch]))
            x = decoder(z)
            if output_range == "-1,1":
                x = x / 2 + 0.5
            pixels = (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
            for name, image in zip(batch, pixels):
                Image.fromarray(image).save(os.path.join(output_dir, name[:-4] + ".png"))
    print("IMAGES", len(names))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
