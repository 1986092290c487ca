package io.latentdecode.udf.image;

import io.latentdecode.udf.contract.Thumbnail;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Thumbnails of decoded images for the run page, made from their 8-bit pixels. */
public final class Thumbnails {
  /** The longest side of a thumbnail. */
  public static final int SIDE = 160;

  private Thumbnails() {}

  /**
   * The thumbnail of the RGB image at {@code offset} in {@code pixels} (height x width x 3 bytes),
   * stored as {@code format}.
   */
  public static Thumbnail of(
      String id, byte[] pixels, int offset, int height, int width, String format) {
    byte[] image = Arrays.copyOfRange(pixels, offset, offset + height * width * 3);
    BufferedImage thumb = scaled(ImageEncoder.asImage(image, height, width), SIDE);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(thumb, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Thumbnail(
        id, width, height, format, Base64.getEncoder().encodeToString(png.toByteArray()));
  }

  /** The picture scaled to fit {@code side x side}, aspect kept. */
  public static BufferedImage scaled(BufferedImage picture, int side) {
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
}
