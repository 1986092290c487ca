package io.latentdecode.job.plan;

import io.latentdecode.job.commit.DriverErrors;
import io.latentdecode.udf.contract.InputKind;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The input as rows in the layout of its {@link InputKind} (see {@link InputKind#rowLayout()}).
 *
 * @param kind the latent format
 * @param uri the qualified input URI
 * @param rows the rows, partitioned for decoding
 * @param carriedColumns the input columns carried through to the output
 * @param unreadable input files the driver could not read at all, reported whole as error rows
 */
public record PlannedInput(
    InputKind kind,
    String uri,
    Dataset<Row> rows,
    StructType carriedColumns,
    List<DriverErrors.Row> unreadable) {

  public PlannedInput {
    unreadable = List.copyOf(unreadable);
  }

  public PlannedInput(InputKind kind, String uri, Dataset<Row> rows, StructType carriedColumns) {
    this(kind, uri, rows, carriedColumns, List.of());
  }

  /** The same input with other rows (filtered or repartitioned). */
  public PlannedInput withRows(Dataset<Row> newRows) {
    return new PlannedInput(kind, uri, newRows, carriedColumns, unreadable);
  }

  /** No rows at all (no tasks): a resumed run with nothing left to decode. */
  public PlannedInput empty() {
    return withRows(rows.limit(0).coalesce(1));
  }
}
