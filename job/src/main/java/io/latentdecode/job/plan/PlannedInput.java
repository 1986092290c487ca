package io.latentdecode.job.plan;

import io.latentdecode.job.commit.DriverErrors;
import io.latentdecode.udf.contract.InputFile;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.latent.InputFileContents;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The input as planned: table rows read by Spark's own source (Parquet), or the listed files that
 * the tasks read themselves (every other format), either way handed to the executor side in the
 * layout of its {@link InputKind} (see {@link InputKind#rowLayout()}).
 *
 * @param kind the latent format
 * @param uri the qualified input URI
 * @param rows the Parquet rows, partitioned for decoding; null for file inputs
 * @param files the latent files to decode, in path order; null for Parquet
 * @param fileRows Parquet: the rows of each input file (by its listed path), from its footer
 * @param carriedColumns the input columns carried through to the output
 * @param unreadable input files the driver could not read at all, reported whole as error rows
 */
public record PlannedInput(
    InputKind kind,
    String uri,
    Dataset<Row> rows,
    List<InputFile> files,
    Map<String, Long> fileRows,
    StructType carriedColumns,
    List<DriverErrors.Row> unreadable) {

  public PlannedInput {
    unreadable = List.copyOf(unreadable);
    files = files == null ? null : List.copyOf(files);
    fileRows = Map.copyOf(fileRows);
  }

  /** Whether the tasks read listed files (every format but Parquet). */
  public boolean isFiles() {
    return files != null;
  }

  /** The same Parquet input with other rows (filtered or repartitioned). */
  public PlannedInput withRows(Dataset<Row> newRows) {
    return new PlannedInput(kind, uri, newRows, null, fileRows, carriedColumns, unreadable);
  }

  /** The same file input with fewer files. */
  public PlannedInput withFiles(List<InputFile> newFiles) {
    return new PlannedInput(kind, uri, null, newFiles, fileRows, carriedColumns, unreadable);
  }

  /** Inputs to decode: files for file inputs, rows for Parquet (one Spark job). */
  public long count() {
    return isFiles() ? files.size() : rows.count();
  }

  /**
   * Inputs before any is left out: files for file inputs, for Parquet the rows the footers count
   * (no Spark job).
   */
  public long countAll() {
    return isFiles() ? files.size() : fileRows.values().stream().mapToLong(Long::longValue).sum();
  }

  /** No input at all (no tasks): a resumed run with nothing left to decode. */
  public PlannedInput empty() {
    return isFiles() ? withFiles(List.of()) : withRows(rows.limit(0).coalesce(1));
  }

  /**
   * The input as the RDD whose partitions are the run's tasks: Parquet rows as Spark split them;
   * files packed by {@link TaskSizing} for {@code slots} task slots, or into {@code tasks} tasks.
   */
  public JavaRDD<InternalRow> tasks(
      JavaSparkContext spark, Broadcast<TaskPlan> plan, int slots, OptionalInt tasks) {
    if (!isFiles()) {
      return rows.queryExecution().toRdd().toJavaRDD();
    }
    List<List<InputFile>> packed = TaskSizing.pack(files, slots, tasks);
    return spark
        .parallelize(packed, Math.max(1, packed.size()))
        .mapPartitions(new InputFileContents(plan));
  }
}
