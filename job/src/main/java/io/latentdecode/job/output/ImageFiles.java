package io.latentdecode.job.output;

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
 * Reads a run's output the way any Arrow client would: every {@code *.arrow} outside {@code
 * _}/{@code .} folders.
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
    forEach(fs, list(fs, output), visitor);
  }

  /** Visits every image of these files, in order. */
  public static void forEach(FileSystem fs, List<Path> files, Visitor visitor) throws IOException {
    try (BufferAllocator allocator = new RootAllocator()) {
      for (Path file : files) {
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
      } else if (name.endsWith(OutputLayout.FILE_SUFFIX)) {
        files.add(status.getPath());
      }
    }
  }
}
