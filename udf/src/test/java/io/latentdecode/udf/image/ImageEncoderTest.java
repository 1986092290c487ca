package io.latentdecode.udf.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.contract.EncodingOptions;
import io.latentdecode.udf.contract.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageEncoderTest {
  private static final int H = 5;
  private static final int W = 7;

  @Test
  void encodesEachImageOfABatchBufferLosslesslyAtEveryCompressionLevel() throws Exception {
    for (int level : new int[] {0, 1, 6, 9}) {
      encodesLosslessly(ImageFormat.PNG, new EncodingOptions(level, 90));
    }
  }

  @Test
  void losslessWebpKeepsEveryPixel() throws Exception {
    encodesLosslessly(ImageFormat.WEBP, new EncodingOptions(1, 90, 90, true));
  }

  private static void encodesLosslessly(ImageFormat format, EncodingOptions options)
      throws Exception {
    byte[] batch = new byte[2 * H * W * 3];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = (byte) (i * 31 + (i / (H * W * 3)) * 101);
    }
    for (int image = 0; image < 2; image++) {
      int offset = image * H * W * 3;
      byte[] encoded = ImageEncoder.encode(format, options, batch, offset, H, W).toByteArray();
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(encoded));

      assertThat(decoded.getWidth()).isEqualTo(W);
      assertThat(decoded.getHeight()).isEqualTo(H);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int p = offset + (y * W + x) * 3;
          int expected =
              ((batch[p] & 0xff) << 16) | ((batch[p + 1] & 0xff) << 8) | (batch[p + 2] & 0xff);
          assertThat(decoded.getRGB(x, y) & 0xffffff)
              .as("image %d pixel (%d, %d)", image, x, y)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void jpegIsCloseAndItsQualityTradesSizeForFidelity() throws Exception {
    lossyIsCloseAndQualityTradesSize(
        ImageFormat.JPEG, new EncodingOptions(1, 95), new EncodingOptions(1, 30));
  }

  @Test
  void lossyWebpIsCloseAndItsQualityTradesSizeForFidelity() throws Exception {
    lossyIsCloseAndQualityTradesSize(
        ImageFormat.WEBP,
        new EncodingOptions(1, 90, 95, false),
        new EncodingOptions(1, 90, 30, false));
  }

  private static void lossyIsCloseAndQualityTradesSize(
      ImageFormat format, EncodingOptions highQuality, EncodingOptions lowQuality)
      throws Exception {
    int h = 64;
    int w = 96;
    byte[] pixels = new byte[h * w * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = (y * w + x) * 3;
        pixels[p] = (byte) (x * 2);
        pixels[p + 1] = (byte) (y * 3);
        pixels[p + 2] = (byte) ((x + y) * 2);
      }
    }
    byte[] high = ImageEncoder.encode(format, highQuality, pixels, 0, h, w).toByteArray();
    byte[] low = ImageEncoder.encode(format, lowQuality, pixels, 0, h, w).toByteArray();
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(high));

    assertThat(low.length).isLessThan(high.length);
    assertThat(decoded.getWidth()).isEqualTo(w);
    int p = (10 * w + 20) * 3;
    int rgb = decoded.getRGB(20, 10);
    assertThat(Math.abs(((rgb >> 16) & 0xff) - (pixels[p] & 0xff))).isLessThanOrEqualTo(8);
    assertThat(Math.abs(((rgb >> 8) & 0xff) - (pixels[p + 1] & 0xff))).isLessThanOrEqualTo(8);
    assertThat(Math.abs((rgb & 0xff) - (pixels[p + 2] & 0xff))).isLessThanOrEqualTo(8);
  }

  @Test
  void rawIsTheHwcBytesOfThatImage() {
    byte[] batch = new byte[2 * H * W * 3];
    batch[H * W * 3] = 42;
    byte[] raw =
        ImageEncoder.encode(ImageFormat.RAW, EncodingOptions.DEFAULT, batch, H * W * 3, H, W)
            .toByteArray();
    assertThat(raw).hasSize(H * W * 3);
    assertThat(raw[0]).isEqualTo((byte) 42);
  }
}
