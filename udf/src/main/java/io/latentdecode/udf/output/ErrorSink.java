package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.ErrorKind;
import java.io.IOException;

/**
 * Where a partition's quarantined rows go: a task's {@code _errors/} files, or the rows of a
 * DataFrame. Called by every stage of the decode loop, one call at a time.
 */
public interface ErrorSink {
  void add(String rowId, ErrorKind errorKind, String text) throws IOException;
}
