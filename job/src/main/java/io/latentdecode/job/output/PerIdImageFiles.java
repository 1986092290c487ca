package io.latentdecode.job.output;

import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.ImagePaths;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The images of a {@code --output-format files} output: one file per id, the id from its path
 * ({@link ImagePaths}), width and height from the image's header.
 */
final class PerIdImageFiles {
  private PerIdImageFiles() {}

  /** Whether a file name is one of the images such an output holds. */
  static boolean isImageFile(String name) {
    return formatOf(name) != null;
  }

  /** The format of an image file by its extension (raw pixels are never written as files). */
  private static ImageFormat formatOf(String name) {
    int dot = name.lastIndexOf('.');
    ImageFormat format = dot > 0 ? ImageFormat.ofFileExtension(name.substring(dot + 1)) : null;
    return format == ImageFormat.RAW ? null : format;
  }

  static ImageFiles.StoredImage read(FileSystem fs, Path output, Path file) throws IOException {
    String relative = output.toUri().relativize(file.toUri()).getPath();
    int dot = relative.lastIndexOf('.');
    ImageFormat format = formatOf(relative);
    if (format == null) {
      throw new IOException(file + " is not an image file of this output");
    }
    byte[] bytes;
    try (InputStream in = fs.open(file)) {
      bytes = in.readAllBytes();
    }
    try (ImageInputStream header =
        ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(header);
      if (!readers.hasNext()) {
        throw new IOException("no reader for the " + format + " image " + file);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(header);
        return new ImageFiles.StoredImage(
            ImagePaths.id(relative.substring(0, dot)),
            bytes,
            format.text(),
            reader.getWidth(0),
            reader.getHeight(0));
      } finally {
        reader.dispose();
      }
    }
  }
}
