package io.latentdecode.udf.latent;

/**
 * A tensor as a file or row holds it, before it is split into latents: its shape, element type and
 * little-endian C-order bytes at {@code data[offset, offset + length)}.
 */
public record RawTensor(int[] shape, LatentDtype dtype, byte[] data, int offset, int length) {
  public static RawTensor of(int[] shape, LatentDtype dtype, byte[] data) {
    return new RawTensor(shape, dtype, data, 0, data.length);
  }
}
