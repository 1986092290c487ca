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

  /**
   * The extension of a file holding one such image ({@code png}, {@code jpg}, {@code webp}, {@code
   * raw}), as WebDataset members and per-id image files are named.
   */
  public String fileExtension() {
    return this == JPEG ? "jpg" : text();
  }

  /** The format of a file named with this extension, or null. */
  public static ImageFormat ofFileExtension(String extension) {
    for (ImageFormat f : values()) {
      if (f.fileExtension().equals(extension)) {
        return f;
      }
    }
    return null;
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
