package io.latentdecode.job.demo;

import io.latentdecode.udf.testing.SharedData;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A 1536x1024 picture for large-latent tests: the demo's drawn pictures and the shared texture
 * photographs (brick, grass, gravel) in a 3x2 mosaic, so both flat areas and fine detail cross the
 * tile borders.
 */
public final class LargePicture {
  public static final int WIDTH = 3 * DemoPictures.SIZE;
  public static final int HEIGHT = 2 * DemoPictures.SIZE;

  private LargePicture() {}

  public static BufferedImage draw() throws IOException {
    BufferedImage out = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    List<BufferedImage> drawn = List.copyOf(DemoPictures.all().values());
    int s = DemoPictures.SIZE;
    g.drawImage(photo("brick"), 0, 0, s, s, null);
    g.drawImage(drawn.get(1), s, 0, null);
    g.drawImage(photo("gravel"), 2 * s, 0, s, s, null);
    g.drawImage(drawn.get(3), 0, s, null);
    g.drawImage(photo("grass"), s, s, s, s, null);
    g.drawImage(drawn.get(5), 2 * s, s, null);
    g.dispose();
    return out;
  }

  private static BufferedImage photo(String name) throws IOException {
    return ImageIO.read(SharedData.taef2Reference().resolve(name + ".original.png").toFile());
  }
}
