package io.latentdecode.job.plan;

import static org.apache.spark.sql.functions.broadcast;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.commit.CommittedOutput;
import io.latentdecode.udf.contract.InputKind;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code --mode resume}: the input minus what earlier runs committed, by input file (file inputs)
 * or by id (Parquet rows). The committed set is broadcast, so the input keeps its partitioning.
 */
public final class ResumePlan {
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

  public static PlannedInput skipCommitted(PlannedInput planned, CommittedOutput committed) {
    String key = planned.kind() == InputKind.PARQUET ? "id" : "path";
    Dataset<Row> sources = broadcast(committed.sources());
    Dataset<Row> rows =
        planned
            .rows()
            .join(sources, planned.rows().col(key).equalTo(sources.col("source")), "left_anti");
    return planned.withRows(rows);
  }
}
