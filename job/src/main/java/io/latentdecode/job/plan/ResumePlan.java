package io.latentdecode.job.plan;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.commit.CommittedOutput;
import io.latentdecode.udf.contract.InputFile;
import io.latentdecode.udf.contract.OutputFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code --mode resume}: the input minus what earlier runs committed, by input file (file inputs)
 * or by id (Parquet rows).
 */
public final class ResumePlan {
  /**
   * What one committed id costs in a broadcast hash relation, to weigh the committed ids against
   * {@code spark.sql.autoBroadcastJoinThreshold}: Spark's own estimate from the compressed files
   * would be several times too low.
   */
  static final long BROADCAST_BYTES_PER_ID = 100;

  private ResumePlan() {}

  /** Refuses to mix decodes: committed tasks must come from the same model and pixel settings. */
  public static void checkSameDecode(CommittedOutput committed, String thisDecode, String output) {
    for (String earlier : committed.decodes()) {
      if (!earlier.equals(thisDecode)) {
        throw new JobSetupException(
            "Cannot run: --mode resume would mix two decodes in --output "
                + output
                + ": it holds images made with "
                + earlier
                + ", this run is "
                + thisDecode
                + "; run with the same model and settings, or use --mode overwrite or a new --output");
      }
    }
  }

  /** A resume writes its images in the format of the images already there. */
  public static void checkSameFormat(
      CommittedOutput committed, OutputFormat format, String output) {
    for (OutputFormat earlier : committed.imageFormats()) {
      if (earlier != format) {
        throw new JobSetupException(
            "Cannot run: --mode resume would mix two output formats in --output "
                + output
                + ": it holds "
                + earlier.text()
                + " images, this run writes "
                + format.text()
                + "; pass --output-format "
                + earlier.text()
                + ", or use --mode overwrite or a new --output");
      }
    }
  }

  /**
   * The input less what is committed: listed files less the committed files (a set of paths on the
   * driver, no larger than the listing it filters), Parquet rows less the committed ids by a join
   * that Spark plans by size: a broadcast while the committed ids are small, a shuffle of ids
   * beyond {@code spark.sql.autoBroadcastJoinThreshold}, so that driver memory does not grow with
   * the output.
   */
  public static Skipped skipCommitted(PlannedInput planned, CommittedOutput committed)
      throws java.io.IOException {
    if (planned.isFiles()) {
      Set<String> done = committed.committedFiles();
      return new Skipped(
          planned.withFiles(
              planned.files().stream().filter(f -> !done.contains(f.path())).toList()),
          Join.FILE_SET,
          0);
    }
    List<String> complete = completeFiles(planned, committed);
    if (!planned.fileRows().isEmpty() && complete.size() == planned.fileRows().size()) {
      return new Skipped(planned.empty(), Join.NONE, complete.size()); // no row left to join
    }
    if (!complete.isEmpty()) {
      // files whose rows are all committed are not read at all
      planned =
          planned.withRows(
              planned.rows().filter(not(col(InputPlanner.FILE_COLUMN).isin(complete.toArray()))));
    }
    long threshold =
        planned.rows().sparkSession().sessionState().conf().autoBroadcastJoinThreshold();
    Join join =
        threshold > 0 && committed.sourceCount() * BROADCAST_BYTES_PER_ID <= threshold
            ? Join.BROADCAST
            : Join.SHUFFLE;
    Dataset<Row> sources =
        join == Join.BROADCAST ? broadcast(committed.sources()) : committed.sources().hint("merge");
    Dataset<Row> rows =
        planned
            .rows()
            .join(sources, planned.rows().col("id").equalTo(sources.col("source")), "left_anti");
    return new Skipped(planned.withRows(rows), join, complete.size());
  }

  /**
   * The input files (as the tasks named them) from which the manifests record as many committed
   * rows as the file's footer holds: every row of theirs is committed, whatever ids other files
   * hold.
   */
  private static List<String> completeFiles(PlannedInput planned, CommittedOutput committed) {
    List<String> complete = new ArrayList<>();
    committed
        .rowsByInputFile()
        .forEach(
            (taskPath, rows) -> {
              Long total = planned.fileRows().get(listedPath(taskPath));
              if (total != null && rows >= total) {
                complete.add(taskPath);
              }
            });
    return complete;
  }

  /** Spark's {@code _metadata.file_path} (a URI) as the listing writes the same file's path. */
  private static String listedPath(String taskPath) {
    try {
      return new Path(new java.net.URI(taskPath)).toString();
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      return taskPath;
    }
  }

  /** How a resumed run left out what is committed. */
  public enum Join {
    /** File inputs: the listing less a set of committed paths. */
    FILE_SET,
    /** Every input file is committed whole: nothing is read. */
    NONE,
    /** Committed ids sent whole to every task (few of them). */
    BROADCAST,
    /** Input and committed ids shuffled by id and merged: driver memory stays flat. */
    SHUFFLE;

    public String text() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The input less what is committed, how the committed rows were left out, and how many Parquet
   * files were left out whole.
   */
  public record Skipped(PlannedInput planned, Join join, int completeFiles) {}

  /**
   * Parquet rows left after a resume, spread evenly over tasks sized by their share of the input's
   * bytes: new rows appended to one file would otherwise all fall into that file's few splits.
   */
  public static PlannedInput spread(
      PlannedInput planned, InputListing listing, long remaining, long skipped, int slots) {
    if (remaining <= 0) {
      return planned;
    }
    long inputBytes =
        listing.named(name -> name.endsWith(".parquet")).stream()
            .mapToLong(InputFile::length)
            .sum();
    long remainingBytes = (long) (inputBytes * ((double) remaining / (remaining + skipped)));
    return planned.withRows(planned.rows().repartition(TaskSizing.tasksFor(remainingBytes, slots)));
  }
}
