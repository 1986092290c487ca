package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.contract.OutputSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * A task's quarantined rows ({@code id}, {@code error_kind}, {@code message}), written to {@code
 * _errors/}.
 */
public final class ErrorFileWriter extends RecordBatchFileWriter implements ErrorSink {
  private static final int MAX_ROWS_PER_BATCH = 4096;

  private final VarCharVector id;
  private final VarCharVector kind;
  private final VarCharVector message;

  public ErrorFileWriter(
      BufferAllocator allocator,
      Schema schema,
      FileSystem fs,
      Path attemptDir,
      int partition,
      String runId,
      long maxFileBytes) {
    super(
        allocator,
        schema,
        root ->
            new RollingArrowFiles(
                fs, attemptDir, OutputLayout.ERRORS_DIR, partition, runId, root, maxFileBytes));
    this.id = (VarCharVector) root.getVector(OutputSchemas.ID);
    this.kind = (VarCharVector) root.getVector(OutputSchemas.ERROR_KIND);
    this.message = (VarCharVector) root.getVector(OutputSchemas.MESSAGE);
  }

  /** A quarantined row of the run's error files: its id, kind and message, no other column. */
  @Override
  public void add(String rowId, ErrorKind errorKind, String text, InternalRow carried)
      throws IOException {
    add(rowId, errorKind, text);
  }

  /** A quarantined row: its id, kind and message. */
  public void add(String rowId, ErrorKind errorKind, String text) throws IOException {
    id.setSafe(rows, rowId.getBytes(StandardCharsets.UTF_8));
    kind.setSafe(rows, errorKind.text().getBytes(StandardCharsets.UTF_8));
    message.setSafe(rows, text.getBytes(StandardCharsets.UTF_8));
    rows++;
    if (rows >= MAX_ROWS_PER_BATCH) {
      flush();
    }
  }
}
