package io.latentdecode.job.output;

import io.latentdecode.udf.contract.OutputFormat;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.output.HadoopChannels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads a run's output the way any Arrow, Parquet or tar client would: every {@code *.arrow},
 * {@code *.parquet} and {@code *.tar} outside {@code _}/{@code .} folders.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /** One decoded image as stored. */
  public record StoredImage(String id, byte[] image, String format, int width, int height) {}

  public interface Visitor {
    void visit(StoredImage image) throws IOException;
  }

  public static List<Path> list(FileSystem fs, Path output) throws IOException {
    List<Path> files = new ArrayList<>();
    collect(fs, output, files);
    files.sort(null);
    return files;
  }

  public static void forEach(FileSystem fs, Path output, Visitor visitor) throws IOException {
    forEach(fs, output, list(fs, output), visitor);
  }

  /** Visits every image of these files of {@code output}, in order. */
  public static void forEach(FileSystem fs, Path output, List<Path> files, Visitor visitor)
      throws IOException {
    try (BufferAllocator allocator = new RootAllocator()) {
      for (Path file : files) {
        OutputFormat fileFormat = OutputFormat.ofFileName(file.getName());
        if (fileFormat == OutputFormat.PARQUET) {
          ParquetImages.forEach(fs, file, visitor);
          continue;
        }
        if (fileFormat == OutputFormat.WEBDATASET) {
          WebDatasetImages.forEach(fs, file, visitor);
          continue;
        }
        if (fileFormat == null) {
          visitor.visit(PerIdImageFiles.read(fs, output, file));
          continue;
        }
        try (ArrowFileReader reader =
            new ArrowFileReader(HadoopChannels.openForRead(fs, file), allocator)) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          while (reader.loadNextBatch()) {
            VarCharVector id = (VarCharVector) root.getVector(OutputSchemas.ID);
            VarBinaryVector image = (VarBinaryVector) root.getVector(OutputSchemas.IMAGE);
            VarCharVector format = (VarCharVector) root.getVector(OutputSchemas.FORMAT);
            IntVector width = (IntVector) root.getVector(OutputSchemas.WIDTH);
            IntVector height = (IntVector) root.getVector(OutputSchemas.HEIGHT);
            for (int i = 0; i < root.getRowCount(); i++) {
              visitor.visit(
                  new StoredImage(
                      id.getObject(i).toString(),
                      image.get(i),
                      format.getObject(i).toString(),
                      width.get(i),
                      height.get(i)));
            }
          }
        }
      }
    }
  }

  private static void collect(FileSystem fs, Path dir, List<Path> files) throws IOException {
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (OutputLayout.isHidden(name)) {
        continue;
      }
      if (status.isDirectory()) {
        collect(fs, status.getPath(), files);
      } else if (OutputFormat.ofFileName(name) != null || PerIdImageFiles.isImageFile(name)) {
        files.add(status.getPath());
      }
    }
  }
}
