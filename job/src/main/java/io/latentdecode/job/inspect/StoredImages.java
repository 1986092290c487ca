package io.latentdecode.job.inspect;

import io.latentdecode.job.output.ImageFiles;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.image.ImageEncoder;
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

  /** The file extension for a stored format; raw images are written as PNG files. */
  public static String fileExtension(String format) {
    ImageFormat stored = ImageFormat.parse(format);
    return stored == ImageFormat.RAW ? ImageFormat.PNG.fileExtension() : stored.fileExtension();
  }
}
