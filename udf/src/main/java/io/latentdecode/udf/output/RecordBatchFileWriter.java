package io.latentdecode.udf.output;

import java.io.IOException;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows gathered into a {@link VectorSchemaRoot} and written as record batches of rolling Arrow
 * files in a task attempt's private folder. Subclasses fill the vectors a row at a time and say
 * when a batch is full.
 */
abstract class RecordBatchFileWriter implements AutoCloseable {
  protected final VectorSchemaRoot root;
  private final BatchFiles files;

  /** Rows buffered in {@link #root} since the last batch was written. */
  protected int rows;

  /**
   * @param files the rolling files of some format that take the root's batches
   */
  RecordBatchFileWriter(
      BufferAllocator allocator,
      Schema schema,
      java.util.function.Function<VectorSchemaRoot, BatchFiles> files) {
    this.root = VectorSchemaRoot.create(schema, allocator);
    this.files = files.apply(root);
  }

  /** Writes what is buffered and closes the last file; returns the files to publish. */
  public final List<StagedFile> finish() throws IOException {
    flush();
    return files.finish();
  }

  /** Writes the buffered rows as one record batch. */
  protected final void flush() throws IOException {
    if (rows == 0) {
      return;
    }
    beforeBatch();
    root.setRowCount(rows);
    files.writeBatch();
    afterBatch();
    for (FieldVector v : root.getFieldVectors()) {
      v.reset();
    }
    rows = 0;
  }

  /** Completes vectors that are filled by other writers. */
  protected void beforeBatch() {}

  /** Resets per-batch state. */
  protected void afterBatch() {}

  @Override
  public void close() throws IOException {
    try {
      files.close();
    } finally {
      root.close();
    }
  }
}
