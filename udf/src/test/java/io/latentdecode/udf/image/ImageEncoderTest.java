package io.latentdecode.udf.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.contract.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageEncoderTest {
  private static final int H = 5;
  private static final int W = 7;

  @Test
  void encodesEachImageOfABatchBufferLosslessly() throws Exception {
    byte[] batch = new byte[2 * H * W * 3];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = (byte) (i * 31 + (i / (H * W * 3)) * 101);
    }
    for (int image = 0; image < 2; image++) {
      int offset = image * H * W * 3;
      byte[] png = ImageEncoder.encode(ImageFormat.PNG, batch, offset, H, W).toByteArray();
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));

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
  void rawIsTheHwcBytesOfThatImage() {
    byte[] batch = new byte[2 * H * W * 3];
    batch[H * W * 3] = 42;
    byte[] raw = ImageEncoder.encode(ImageFormat.RAW, batch, H * W * 3, H, W).toByteArray();
    assertThat(raw).hasSize(H * W * 3);
    assertThat(raw[0]).isEqualTo((byte) 42);
  }
}
