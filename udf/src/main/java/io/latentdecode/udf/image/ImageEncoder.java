package io.latentdecode.udf.image;

import io.latentdecode.udf.contract.ImageFormat;
import java.awt.Point;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Turns 8-bit RGB HWC pixels into the bytes of the {@code image} column. */
public final class ImageEncoder {
  private static final ComponentColorModel RGB =
      new ComponentColorModel(
          ColorSpace.getInstance(ColorSpace.CS_sRGB),
          false,
          false,
          Transparency.OPAQUE,
          DataBuffer.TYPE_BYTE);

  private ImageEncoder() {}

  /** Encodes the image at {@code offset} in {@code pixels} ({@code height * width * 3} bytes). */
  public static EncodedImage encode(
      ImageFormat format, byte[] pixels, int offset, int height, int width) {
    return switch (format) {
      case RAW -> new EncodedImage(pixels, offset, height * width * 3);
      case PNG -> EncodedImage.of(png(pixels, offset, height, width));
    };
  }

  /**
   * A view of RGB HWC pixels as an image, without copying them. (Java2D rasters ignore a data
   * buffer's offset, so the image must start at index 0.)
   */
  public static BufferedImage asImage(byte[] pixels, int height, int width) {
    DataBufferByte buffer = new DataBufferByte(pixels, height * width * 3);
    PixelInterleavedSampleModel model =
        new PixelInterleavedSampleModel(
            DataBuffer.TYPE_BYTE, width, height, 3, width * 3, new int[] {0, 1, 2});
    WritableRaster raster = Raster.createWritableRaster(model, buffer, new Point(0, 0));
    return new BufferedImage(RGB, raster, false, null);
  }

  private static byte[] png(byte[] pixels, int offset, int height, int width) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(height * width + 1024);
    try {
      byte[] image =
          offset == 0 && pixels.length == height * width * 3
              ? pixels
              : Arrays.copyOfRange(pixels, offset, offset + height * width * 3);
      if (!ImageIO.write(asImage(image, height, width), "png", out)) {
        throw new IllegalStateException("No PNG writer in this JVM (javax.imageio)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode a " + width + "x" + height + " PNG", e);
    }
    return out.toByteArray();
  }
}
