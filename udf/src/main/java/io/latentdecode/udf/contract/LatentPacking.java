package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * FLUX pipelines often save latents packed in 2x2 patches: {@code [h*w/4, 4*C]} instead of {@code
 * [C, h, w]}. A 2-D latent is always read as packed; with {@code --packed-latents} a 3-D tensor in
 * a file is read as a batch of packed latents {@code [N, h*w/4, 4*C]} too. The grid is square
 * unless given.
 *
 * @param declared whether the user said the latents are packed
 * @param height the unpacked latent height, or 0 for a square grid
 * @param width the unpacked latent width, or 0 for a square grid
 */
public record LatentPacking(boolean declared, int height, int width) implements Serializable {
  public static final LatentPacking DETECT = new LatentPacking(false, 0, 0);

  public LatentPacking {
    if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
      throw new IllegalArgumentException(
          "Invalid --packed-latents grid " + height + "x" + width + ": give both, positive");
    }
    if (height % 2 != 0 || width % 2 != 0) {
      throw new IllegalArgumentException(
          "Invalid --packed-latents "
              + height
              + "x"
              + width
              + ": packed latents come from 2x2 patches, so both sides must be even");
    }
  }

  /**
   * Parses the value of {@code --packed-latents}: {@code square} or {@code HxW} (latent pixels).
   */
  public static LatentPacking parse(String text) {
    if (text == null || text.isBlank() || text.equalsIgnoreCase("square")) {
      return new LatentPacking(true, 0, 0);
    }
    String[] parts = text.toLowerCase(java.util.Locale.ROOT).split("x");
    try {
      if (parts.length == 2) {
        return new LatentPacking(true, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException(
        "Invalid --packed-latents '"
            + text
            + "': expected HxW, the unpacked latent size (e.g. 128x96 for a 1024x768 FLUX image),"
            + " or no value for a square grid");
  }

  public String text() {
    if (!declared) {
      return "detect";
    }
    return height == 0 ? "square" : height + "x" + width;
  }
}
