package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.ErrorKind;
import java.io.IOException;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Where a partition's quarantined rows go: a task's {@code _errors/} files, or the rows of a
 * DataFrame (which keep the row's carried-through columns). Called by every stage of the decode
 * loop, one call at a time.
 */
public interface ErrorSink {
  void add(String rowId, ErrorKind errorKind, String text, InternalRow carried) throws IOException;
}
