package io.latentdecode.udf.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.contract.Thumbnail;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** A thumbnail is the image at its offset in a batch's pixels, scaled to fit 160 pixels. */
class ThumbnailsTest {
  @Test
  void theSecondImageOfABatchShrinksToFitWithItsAspectKept() throws Exception {
    int height = 256;
    int width = 512;
    int bytes = height * width * 3;
    byte[] batch = new byte[2 * bytes];
    for (int i = 0; i < height * width; i++) {
      batch[3 * i] = (byte) 255; // the first image red
      batch[bytes + 3 * i + 2] =
          (byte) (i % width < width / 2 ? 255 : 0); // the second: blue, black
    }

    Thumbnail thumb = Thumbnails.of("b", batch, bytes, height, width, "png");

    assertThat(thumb.id()).isEqualTo("b");
    assertThat(thumb.width()).isEqualTo(width);
    assertThat(thumb.height()).isEqualTo(height);
    BufferedImage png =
        ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(thumb.pngBase64())));
    assertThat(png.getWidth()).isEqualTo(160);
    assertThat(png.getHeight()).isEqualTo(80);
    assertThat(png.getRGB(10, 40) & 0xffffff).isEqualTo(0x0000ff);
    assertThat(png.getRGB(150, 40) & 0xffffff).isEqualTo(0x000000);
  }
}
