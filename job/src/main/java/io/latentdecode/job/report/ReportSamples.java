package io.latentdecode.job.report;

import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.TaskReport;
import io.latentdecode.udf.contract.Thumbnail;
import io.latentdecode.udf.image.Thumbnails;
import io.latentdecode.udf.output.HadoopChannels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What the run's HTML page shows of its output: thumbnails of its first images (PNG, base64, to
 * embed), made by the first tasks as they decoded them, and its first quarantined rows, read back
 * from the error files its tasks published.
 *
 * @param thumbnails up to {@code maxImages} images of the run
 * @param errors up to {@code maxErrors} quarantined rows of the run
 */
public record ReportSamples(List<Thumbnail> thumbnails, List<ErrorRow> errors) {
  public static final int THUMBNAIL_SIDE = Thumbnails.SIDE;

  /** One quarantined row. */
  public record ErrorRow(String id, String kind, String message) {}

  public static ReportSamples read(
      FileSystem fs, Path output, List<TaskReport> tasks, int maxImages, int maxErrors)
      throws IOException {
    List<Path> errorFiles = new ArrayList<>();
    for (TaskReport t : tasks) {
      t.errorFiles().forEach(f -> errorFiles.add(new Path(output, f)));
    }
    errorFiles.sort(null);
    List<Thumbnail> thumbnails =
        tasks.stream()
            .sorted(Comparator.comparingInt(TaskReport::partition))
            .flatMap(t -> t.thumbnails().stream())
            .limit(maxImages)
            .toList();
    return new ReportSamples(thumbnails, errors(fs, errorFiles, maxErrors));
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
}
