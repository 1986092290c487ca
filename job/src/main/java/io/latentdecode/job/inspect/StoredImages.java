package io.latentdecode.job.inspect;

import io.latentdecode.job.output.ImageFiles;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.image.ImageEncoder;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Stored images back to pictures: whatever their format in the output. */
public final class StoredImages {
  private StoredImages() {}

  /** The picture of a stored image: PNG, JPEG and WebP through javax.imageio, raw as RGB bytes. */
  public static BufferedImage picture(ImageFiles.StoredImage stored) throws IOException {
    if (ImageFormat.parse(stored.format()) == ImageFormat.RAW) {
      return ImageEncoder.asImage(stored.image(), stored.height(), stored.width());
    }
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(stored.image()));
    if (image == null) {
      throw new IOException(
          "no reader for the " + stored.format() + " image of '" + stored.id() + "'");
    }
    return image;
  }

  /** The picture scaled to fit {@code side x side}, aspect kept. */
  public static BufferedImage thumbnail(BufferedImage picture, int side) {
    double scale = Math.min(1.0, (double) side / Math.max(picture.getWidth(), picture.getHeight()));
    int w = Math.max(1, (int) Math.round(picture.getWidth() * scale));
    int h = Math.max(1, (int) Math.round(picture.getHeight() * scale));
    BufferedImage thumb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = thumb.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(picture, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return thumb;
  }

  /** The file extension for a stored format; raw images are written as PNG files. */
  public static String fileExtension(String format) {
    ImageFormat stored = ImageFormat.parse(format);
    return stored == ImageFormat.RAW ? ImageFormat.PNG.fileExtension() : stored.fileExtension();
  }
}
