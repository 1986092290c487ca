package io.latentdecode.udf.contract;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * How latents become pixels: the {@link LatentConvention} gives {@code z} (per channel {@code z =
 * latent * std / scaling + mean + shift}), {@code x = decoder(z)} runs in {@link #precision} (tile
 * by tile for latents larger than the {@link #tiling} tile), then {@code x} is mapped from the
 * output range to [0, 1], clamped, x255 and rounded to 8-bit RGB. Validated at construction;
 * travels to executors.
 */
public record DecodeSettings(
    LatentConvention convention,
    LatentPacking packing,
    ImageFormat imageFormat,
    int batchSize,
    DeviceRequest device,
    Precision precision,
    Tiling tiling,
    long maxImagePixels,
    EncodingOptions encoding)
    implements Serializable {

  public static final double SCALING_FACTOR_DEFAULT = 1.0;
  public static final double SHIFT_FACTOR_DEFAULT = 0.0;
  public static final OutputRange OUTPUT_RANGE_DEFAULT = OutputRange.MINUS_ONE_TO_ONE;
  public static final ImageFormat IMAGE_FORMAT_DEFAULT = ImageFormat.PNG;

  /** {@code --batch-size auto}: the largest batch that fits the memory budget, per shape. */
  public static final int BATCH_SIZE_AUTO = 0;

  public static final int BATCH_SIZE_DEFAULT = BATCH_SIZE_AUTO;
  public static final DeviceRequest DEVICE_DEFAULT = DeviceRequest.AUTO;

  /**
   * 16384 x 16384: one image's RGB bytes (805 MB) stay well inside a Java array and an Arrow binary
   * value (2 GB each).
   */
  public static final long MAX_IMAGE_PIXELS_DEFAULT = 16384L * 16384L;

  /** Every VAE family the presets name upsamples its latent 8x per side. */
  public static final int VAE_SCALE = 8;

  public DecodeSettings {
    requireNonNull(convention, "convention is null");
    requireNonNull(packing, "packing is null");
    requireNonNull(imageFormat, "imageFormat is null");
    requireNonNull(device, "device is null");
    requireNonNull(precision, "precision is null");
    requireNonNull(tiling, "tiling is null");
    requireNonNull(encoding, "encoding is null");
    if (maxImagePixels < 1) {
      throw new IllegalArgumentException("Invalid --max-image-megapixels: must be positive");
    }
    if (batchSize < 0) {
      throw new IllegalArgumentException(
          "Invalid --batch-size " + batchSize + ": must be auto or at least 1");
    }
  }

  /** Plain factors, no packing, float32, no tiling. */
  public static DecodeSettings of(
      LatentConvention convention, ImageFormat imageFormat, int batchSize, DeviceRequest device) {
    return new DecodeSettings(
        convention,
        LatentPacking.DETECT,
        imageFormat,
        batchSize,
        device,
        Precision.DEFAULT,
        Tiling.OFF,
        MAX_IMAGE_PIXELS_DEFAULT,
        EncodingOptions.DEFAULT);
  }

  public static DecodeSettings defaults() {
    return of(
        LatentConvention.plain(SCALING_FACTOR_DEFAULT, SHIFT_FACTOR_DEFAULT, OUTPUT_RANGE_DEFAULT),
        IMAGE_FORMAT_DEFAULT,
        BATCH_SIZE_DEFAULT,
        DEVICE_DEFAULT);
  }

  public DecodeSettings withPrecision(Precision p) {
    return new DecodeSettings(
        convention, packing, imageFormat, batchSize, device, p, tiling, maxImagePixels, encoding);
  }

  public DecodeSettings withTiling(Tiling t) {
    return new DecodeSettings(
        convention,
        packing,
        imageFormat,
        batchSize,
        device,
        precision,
        t,
        maxImagePixels,
        encoding);
  }

  public DecodeSettings withConvention(LatentConvention c) {
    return new DecodeSettings(
        c, packing, imageFormat, batchSize, device, precision, tiling, maxImagePixels, encoding);
  }

  public OutputRange outputRange() {
    return convention.outputRange();
  }
}
