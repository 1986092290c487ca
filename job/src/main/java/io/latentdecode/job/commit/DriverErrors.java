package io.latentdecode.job.commit;

import io.latentdecode.udf.contract.DeviceTimeline;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.contract.TaskReport;
import io.latentdecode.udf.output.ArrowAllocators;
import io.latentdecode.udf.output.ErrorFileWriter;
import io.latentdecode.udf.output.StagedFile;
import io.latentdecode.udf.output.TaskManifest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Error rows that the driver finds before any task runs (duplicated ids, unreadable Parquet files),
 * committed like a task's: an error file under {@code _errors/} and a manifest for the reserved
 * partition {@link #PARTITION}, whose sources are the reported ids (so a resumed run does not
 * report them again).
 */
public final class DriverErrors {
  /** One error row. */
  public record Row(String id, ErrorKind kind, String message) {}

  /** The partition number of the driver's own rows; Spark partitions never reach it. */
  public static final int PARTITION = 99_999;

  private DriverErrors() {}

  /** Writes and commits the rows; returns the report that the run's commit counts. */
  public static TaskReport write(FileSystem fs, Path output, TaskPlan plan, List<Row> rows)
      throws IOException {
    Path attemptDir = OutputLayout.attemptDir(output, plan.runId(), PARTITION, 0);
    List<StagedFile> files;
    try (BufferAllocator allocator = ArrowAllocators.forTask("driver-errors");
        ErrorFileWriter errors =
            new ErrorFileWriter(
                allocator,
                OutputSchemas.errors(plan),
                fs,
                attemptDir,
                PARTITION,
                plan.runId(),
                plan.maxFileBytes())) {
      for (Row row : rows) {
        errors.add(row.id(), row.kind(), row.message());
      }
      files = errors.finish();
    }
    for (StagedFile f : files) {
      Path target = new Path(output, f.publishedName());
      fs.mkdirs(target.getParent());
      if (!fs.rename(f.staged(), target)) {
        throw new IOException("Cannot publish " + f.staged() + " as " + target);
      }
    }
    List<String> names = files.stream().map(StagedFile::publishedName).toList();
    new TaskManifest(
            plan.runId(),
            PARTITION,
            0,
            List.of(),
            names,
            0,
            TaskManifest.ID_SOURCES,
            rows.stream().map(Row::id).toList(),
            java.util.Map.of(),
            0,
            rows.size(),
            plan.model().sha256(),
            OutputSchemas.settingsText(plan.settings()))
        .publish(fs, attemptDir, OutputLayout.taskManifest(output, plan.runId(), PARTITION));
    fs.delete(attemptDir, true);
    return new TaskReport(
        PARTITION,
        0,
        "driver",
        java.lang.management.ManagementFactory.getRuntimeMXBean().getName(),
        "none",
        "none",
        0,
        List.of(),
        names,
        0,
        rows.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    r -> r.kind().text(), java.util.stream.Collectors.counting())),
        0,
        0,
        java.util.Map.of(),
        java.util.Map.of(),
        0,
        0,
        0,
        0,
        files.stream().mapToLong(StagedFile::bytes).sum(),
        Map.of(),
        0,
        0,
        DeviceTimeline.NONE,
        List.of());
  }
}
