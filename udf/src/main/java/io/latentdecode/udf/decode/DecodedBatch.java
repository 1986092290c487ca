package io.latentdecode.udf.decode;

import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentException;
import java.util.List;

/**
 * The outcome of one forward pass: the latents that became images, their pixels, and the latents
 * that were quarantined on the way (with why).
 *
 * @param decoded the latents decoded, in the order of their pixels
 * @param pixels {@code decoded.size() x height x width x 3} bytes: 8-bit RGB, HWC, image after
 *     image
 * @param height image height in pixels
 * @param width image width in pixels
 * @param rejected latents that could not be decoded
 * @param forwardNanos time inside the decoder's forward
 * @param preprocessNanos time for marshalling and preprocessing (before the forward)
 * @param fp32Redecoded images whose half-precision decode overflowed and were decoded again in
 *     float32
 * @param tiled latents decoded in tiles
 * @param oomSplits times a forward ran out of memory and the work was split (halved batch, or
 *     smaller tiles)
 * @param postprocessNanos time for postprocessing (after the forward) and bringing pixels back
 */
public record DecodedBatch(
    List<Latent> decoded,
    byte[] pixels,
    int height,
    int width,
    List<Rejected> rejected,
    long forwardNanos,
    long preprocessNanos,
    int fp32Redecoded,
    int tiled,
    int oomSplits,
    long postprocessNanos) {

  /** A batch that ended before postprocessing. */
  public DecodedBatch(
      List<Latent> decoded,
      byte[] pixels,
      int height,
      int width,
      List<Rejected> rejected,
      long forwardNanos,
      long preprocessNanos,
      int fp32Redecoded,
      int tiled,
      int oomSplits) {
    this(
        decoded,
        pixels,
        height,
        width,
        rejected,
        forwardNanos,
        preprocessNanos,
        fp32Redecoded,
        tiled,
        oomSplits,
        0);
  }

  /** A latent and why it was not decoded. */
  public record Rejected(Latent latent, LatentException reason) {}

  public int imageBytes() {
    return height * width * 3;
  }
}
