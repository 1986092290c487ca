package io.latentdecode.udf.contract;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * How latents become pixels: {@code z = latent / scalingFactor + shiftFactor}, {@code x =
 * decoder(z)}, then mapped from {@link #outputRange} to [0, 1], clamped, x255 and rounded to 8-bit
 * RGB. Validated at construction; travels to executors.
 */
public record DecodeSettings(
    double scalingFactor,
    double shiftFactor,
    OutputRange outputRange,
    ImageFormat imageFormat,
    int batchSize,
    DeviceRequest device)
    implements Serializable {

  public static final double SCALING_FACTOR_DEFAULT = 1.0;
  public static final double SHIFT_FACTOR_DEFAULT = 0.0;
  public static final OutputRange OUTPUT_RANGE_DEFAULT = OutputRange.MINUS_ONE_TO_ONE;
  public static final ImageFormat IMAGE_FORMAT_DEFAULT = ImageFormat.PNG;
  public static final int BATCH_SIZE_DEFAULT = 4;
  public static final DeviceRequest DEVICE_DEFAULT = DeviceRequest.AUTO;

  public DecodeSettings {
    if (!(Double.isFinite(scalingFactor) && scalingFactor != 0)) {
      throw new IllegalArgumentException(
          "Invalid --scaling-factor " + scalingFactor + ": must be a finite, non-zero number");
    }
    if (!Double.isFinite(shiftFactor)) {
      throw new IllegalArgumentException(
          "Invalid --shift-factor " + shiftFactor + ": must be finite");
    }
    requireNonNull(outputRange, "outputRange is null");
    requireNonNull(imageFormat, "imageFormat is null");
    requireNonNull(device, "device is null");
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "Invalid --batch-size " + batchSize + ": must be at least 1");
    }
  }

  public static DecodeSettings defaults() {
    return new DecodeSettings(
        SCALING_FACTOR_DEFAULT,
        SHIFT_FACTOR_DEFAULT,
        OUTPUT_RANGE_DEFAULT,
        IMAGE_FORMAT_DEFAULT,
        BATCH_SIZE_DEFAULT,
        DEVICE_DEFAULT);
  }
}
