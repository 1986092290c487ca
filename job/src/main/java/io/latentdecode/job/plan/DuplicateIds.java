package io.latentdecode.job.plan;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.commit.DriverErrors;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.InputKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Ids that occur more than once in a Parquet input. Which copy is right cannot be known, so none is
 * decoded: each duplicated id is reported once, as an error row ({@code duplicate_id}), and every
 * input id still appears exactly once in the output. Found with one pass over the {@code id} column
 * only.
 */
public final class DuplicateIds {
  /** More than this many duplicated ids means a broken input, not a few bad rows. */
  public static final int MAX = 10_000;

  private DuplicateIds() {}

  /** Duplicated id to its number of occurrences; empty for file inputs (ids unique by path). */
  public static Map<String, Long> find(PlannedInput planned) {
    if (planned.kind() != InputKind.PARQUET) {
      return Map.of();
    }
    List<Row> found =
        planned
            .rows()
            .groupBy(col("id"))
            .count()
            .filter(col("count").gt(1))
            .limit(MAX + 1)
            .collectAsList();
    if (found.size() > MAX) {
      throw new JobSetupException(
          "Cannot run: the input holds more than "
              + MAX
              + " duplicated ids (e.g. '"
              + found.get(0).get(0)
              + "' occurs "
              + found.get(0).getLong(1)
              + " times); ids must be unique: fix the input or give each row its own id");
    }
    Map<String, Long> duplicates = new LinkedHashMap<>();
    for (Row r : found) {
      duplicates.put(r.isNullAt(0) ? "" : r.getString(0), r.getLong(1));
    }
    return duplicates;
  }

  /** One error row per duplicated id. */
  public static List<DriverErrors.Row> errors(Map<String, Long> duplicates) {
    return duplicates.entrySet().stream()
        .map(
            d ->
                new DriverErrors.Row(
                    d.getKey(),
                    ErrorKind.DUPLICATE_ID,
                    "the id occurs "
                        + d.getValue()
                        + " times in the input; none of its rows was decoded (ids must be unique)"))
        .toList();
  }

  /** The input without the rows of duplicated ids. */
  public static PlannedInput without(PlannedInput planned, Map<String, Long> duplicates) {
    if (duplicates.isEmpty()) {
      return planned;
    }
    Dataset<Row> ids =
        planned
            .rows()
            .sparkSession()
            .createDataset(List.copyOf(duplicates.keySet()), org.apache.spark.sql.Encoders.STRING())
            .toDF("duplicate_id");
    Dataset<Row> rows =
        planned
            .rows()
            .join(
                broadcast(ids),
                planned.rows().col("id").equalTo(ids.col("duplicate_id")),
                "left_anti");
    return planned.withRows(rows);
  }
}
