package io.latentdecode.udf.output;

import java.io.IOException;
import java.util.List;

/** Where a {@link RecordBatchFileWriter}'s record batches go: rolling files of one format. */
interface BatchFiles extends AutoCloseable {
  /** Writes the root's current rows. */
  void writeBatch() throws IOException;

  /** Closes the open file; returns every file written, in order. */
  List<StagedFile> finish() throws IOException;

  /** Abandons an open file (the attempt folder is deleted by the task's abort). */
  @Override
  void close() throws IOException;
}
