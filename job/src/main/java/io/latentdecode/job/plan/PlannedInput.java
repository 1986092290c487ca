package io.latentdecode.job.plan;

import io.latentdecode.udf.contract.InputKind;
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
 */
public record PlannedInput(
    InputKind kind, String uri, Dataset<Row> rows, StructType carriedColumns) {

  /** No rows at all (no tasks): a resumed run with nothing left to decode. */
  public PlannedInput empty() {
    return new PlannedInput(kind, uri, rows.limit(0).coalesce(1), carriedColumns);
  }
}
