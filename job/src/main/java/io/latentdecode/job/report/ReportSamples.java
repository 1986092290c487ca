package io.latentdecode.job.report;

import io.latentdecode.job.inspect.StoredImages;
import io.latentdecode.job.output.ImageFiles;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.TaskReport;
import io.latentdecode.udf.output.HadoopChannels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What the run's HTML page shows of its output: thumbnails of its first images (PNG, base64, to
 * embed) and its first quarantined rows, read back from the files its tasks published.
 *
 * @param thumbnails up to {@code maxImages} images of the run
 * @param errors up to {@code maxErrors} quarantined rows of the run
 */
public record ReportSamples(List<Thumbnail> thumbnails, List<ErrorRow> errors) {
  public static final int THUMBNAIL_SIDE = 160;

  /** One image of the contact sheet. */
  public record Thumbnail(String id, int width, int height, String format, String pngBase64) {}

  /** One quarantined row. */
  public record ErrorRow(String id, String kind, String message) {}

  public static ReportSamples read(
      FileSystem fs, Path output, List<TaskReport> tasks, int maxImages, int maxErrors)
      throws IOException {
    List<Path> imageFiles = new ArrayList<>();
    List<Path> errorFiles = new ArrayList<>();
    for (TaskReport t : tasks) {
      t.imageFiles().forEach(f -> imageFiles.add(new Path(output, f)));
      t.errorFiles().forEach(f -> errorFiles.add(new Path(output, f)));
    }
    imageFiles.sort(null);
    errorFiles.sort(null);
    List<ImageFiles.StoredImage> first = new ArrayList<>();
    try {
      ImageFiles.forEach(
          fs,
          output,
          imageFiles,
          image -> {
            if (first.size() >= maxImages) {
              throw new Enough();
            }
            first.add(image);
          });
    } catch (Enough enough) {
      // the contact sheet is full
    }
    // the run's cores are idle while the driver commits: decode and shrink the images on all of
    // them (about 15 ms each, one after the other the longest step of the commit)
    List<Thumbnail> thumbnails;
    try {
      thumbnails = first.parallelStream().map(ReportSamples::thumbnail).toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return new ReportSamples(thumbnails, errors(fs, errorFiles, maxErrors));
  }

  private static Thumbnail thumbnail(ImageFiles.StoredImage image) {
    try {
      BufferedImage thumb = StoredImages.thumbnail(StoredImages.picture(image), THUMBNAIL_SIDE);
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(thumb, "png", png);
      return new Thumbnail(
          image.id(),
          image.width(),
          image.height(),
          image.format(),
          Base64.getEncoder().encodeToString(png.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<ErrorRow> errors(FileSystem fs, List<Path> files, int max)
      throws IOException {
    List<ErrorRow> rows = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      for (Path file : files) {
        try (ArrowFileReader reader =
            new ArrowFileReader(HadoopChannels.openForRead(fs, file), allocator)) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          while (reader.loadNextBatch()) {
            VarCharVector id = (VarCharVector) root.getVector(OutputSchemas.ID);
            VarCharVector kind = (VarCharVector) root.getVector(OutputSchemas.ERROR_KIND);
            VarCharVector message = (VarCharVector) root.getVector(OutputSchemas.MESSAGE);
            for (int i = 0; i < root.getRowCount() && rows.size() < max; i++) {
              rows.add(
                  new ErrorRow(
                      String.valueOf(id.getObject(i)),
                      String.valueOf(kind.getObject(i)),
                      String.valueOf(message.getObject(i))));
            }
            if (rows.size() >= max) {
              return rows;
            }
          }
        }
      }
    }
    return rows;
  }

  /** Stops a visit early. */
  private static final class Enough extends IOException {
    private static final long serialVersionUID = 1L;
  }
}
