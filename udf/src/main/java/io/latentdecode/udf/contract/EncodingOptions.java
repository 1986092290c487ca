package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * Codec settings of the image formats.
 *
 * @param pngCompressionLevel deflate level of PNG images, 0 (none) to 9 (smallest, slowest)
 * @param jpegQuality JPEG quality, 1 to 100
 * @param webpQuality lossy WebP quality, 0 to 100
 * @param webpLossless WebP without loss (then {@code webpQuality} is not used)
 */
public record EncodingOptions(
    int pngCompressionLevel, int jpegQuality, int webpQuality, boolean webpLossless)
    implements Serializable {
  /** Fast: on decoded images level 1 is about 3x javax.imageio's speed at a smaller size. */
  public static final int PNG_COMPRESSION_DEFAULT = 1;

  public static final int JPEG_QUALITY_DEFAULT = 90;
  public static final int WEBP_QUALITY_DEFAULT = 90;
  public static final EncodingOptions DEFAULT =
      new EncodingOptions(PNG_COMPRESSION_DEFAULT, JPEG_QUALITY_DEFAULT);

  /** PNG and JPEG settings, WebP's defaults. */
  public EncodingOptions(int pngCompressionLevel, int jpegQuality) {
    this(pngCompressionLevel, jpegQuality, WEBP_QUALITY_DEFAULT, false);
  }

  public EncodingOptions {
    if (pngCompressionLevel < 0 || pngCompressionLevel > 9) {
      throw new IllegalArgumentException(
          "Invalid --png-compression " + pngCompressionLevel + ": must be 0 to 9");
    }
    if (jpegQuality < 1 || jpegQuality > 100) {
      throw new IllegalArgumentException(
          "Invalid --jpeg-quality " + jpegQuality + ": must be 1 to 100");
    }
    if (webpQuality < 0 || webpQuality > 100) {
      throw new IllegalArgumentException(
          "Invalid --webp-quality " + webpQuality + ": must be 0 to 100");
    }
  }
}
