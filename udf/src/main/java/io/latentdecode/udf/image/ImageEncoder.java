package io.latentdecode.udf.image;

import com.luciad.imageio.webp.WebPWriteParam;
import com.pngencoder.PngEncoder;
import io.latentdecode.udf.contract.EncodingOptions;
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
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Turns 8-bit RGB HWC pixels into the bytes of the {@code image} column: PNG through {@code
 * pngencoder} (deflate level from the options; about 3x {@code javax.imageio}'s speed at level 1
 * and a smaller file, see BENCHMARKS.md), JPEG through {@code javax.imageio} at the options'
 * quality, WebP through libwebp ({@code webp-imageio}, lossy or lossless), or the raw bytes.
 */
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
      ImageFormat format,
      EncodingOptions options,
      byte[] pixels,
      int offset,
      int height,
      int width) {
    return switch (format) {
      case RAW -> new EncodedImage(pixels, offset, height * width * 3);
      case PNG -> EncodedImage.of(png(pixels, offset, height, width, options));
      case JPEG -> EncodedImage.of(jpeg(pixels, offset, height, width, options));
      case WEBP -> EncodedImage.of(webp(pixels, offset, height, width, options));
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

  /**
   * The pixels as a standard {@code TYPE_3BYTE_BGR} image (one pass swapping R and B), the layout
   * the PNG and JPEG encoders read fastest.
   */
  static BufferedImage asBgrImage(byte[] pixels, int offset, int height, int width) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    int n = height * width * 3;
    for (int i = 0; i < n; i += 3) {
      bgr[i] = pixels[offset + i + 2];
      bgr[i + 1] = pixels[offset + i + 1];
      bgr[i + 2] = pixels[offset + i];
    }
    return image;
  }

  private static byte[] png(
      byte[] pixels, int offset, int height, int width, EncodingOptions options) {
    return new PngEncoder()
        .withBufferedImage(asBgrImage(pixels, offset, height, width))
        .withCompressionLevel(options.pngCompressionLevel())
        .withPredictorEncoding(false)
        .withMultiThreadedCompressionEnabled(false)
        .toBytes();
  }

  /** The same PNG through {@code javax.imageio}, the baseline of the encoder benchmark. */
  public static byte[] pngWithImageIo(byte[] pixels, int offset, int height, int width) {
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

  private static byte[] jpeg(
      byte[] pixels, int offset, int height, int width, EncodingOptions options) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(options.jpegQuality() / 100f);
    return write(writer, param, asBgrImage(pixels, offset, height, width), "JPEG");
  }

  private static byte[] webp(
      byte[] pixels, int offset, int height, int width, EncodingOptions options) {
    WebPWriteParam param = new WebPWriteParam(Locale.ROOT);
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    if (options.webpLossless()) {
      param.setCompressionType(param.getCompressionTypes()[WebPWriteParam.LOSSLESS_COMPRESSION]);
    } else {
      param.setCompressionType(param.getCompressionTypes()[WebPWriteParam.LOSSY_COMPRESSION]);
      param.setCompressionQuality(options.webpQuality() / 100f);
    }
    ImageWriter writer = ImageIO.getImageWritersByMIMEType("image/webp").next();
    return write(writer, param, asBgrImage(pixels, offset, height, width), "WebP");
  }

  /** The image through a javax.imageio writer with these parameters; disposes of the writer. */
  private static byte[] write(
      ImageWriter writer, ImageWriteParam param, BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(image.getHeight() * image.getWidth() / 2);
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot encode a " + image.getWidth() + "x" + image.getHeight() + " " + format, e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
