package io.latentdecode.udf.contract;

import java.util.Locale;

/** How a decoded image is stored in the output's {@code image} column. */
public enum ImageFormat {
  /** Lossless PNG, 8-bit RGB. */
  PNG,
  /** Lossy JPEG, 8-bit RGB, at {@code --jpeg-quality}. */
  JPEG,
  /** WebP, 8-bit RGB: lossy at {@code --webp-quality}, or lossless with {@code --webp-lossless}. */
  WEBP,
  /** Raw pixels: height x width x 3 bytes (HWC, RGB, uint8). */
  RAW;

  /** The spelling in the {@code format} column and on the command line. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ImageFormat parse(String text) {
    for (ImageFormat f : values()) {
      if (f.text().equalsIgnoreCase(text)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "Invalid image format '" + text + "': expected png, jpeg, webp or raw");
  }
}
