package io.latentdecode.udf.task;

import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.image.EncodedImage;
import io.latentdecode.udf.output.ErrorSink;
import io.latentdecode.udf.output.ImageSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A DataFrame decode's rows on their way from the decode loop (its write stage, on another thread)
 * to the task's consumer: a bounded queue, so that decoding runs at most a few rows ahead of what
 * the next step of the query has taken. Rows have the layout of {@link
 * io.latentdecode.udf.contract.OutputSchemas#decodedRows}.
 */
final class DecodedRowQueue implements ImageSink, ErrorSink, Iterator<InternalRow> {
  private static final long POLL_MILLIS = 100;

  private final BlockingQueue<InternalRow> rows;
  private final StructType carried;
  private final TaskContext task;
  private volatile boolean finished;
  private volatile boolean cancelled;
  private volatile Throwable failure;
  private InternalRow next;

  DecodedRowQueue(StructType carried, int capacity, TaskContext task) {
    this.rows = new ArrayBlockingQueue<>(capacity);
    this.carried = carried;
    this.task = task;
  }

  @Override
  public void add(
      String imageId,
      EncodedImage encoded,
      String imageFormat,
      int imageWidth,
      int imageHeight,
      InternalRow carriedColumns)
      throws IOException {
    Object[] values = new Object[carried.size() + 7];
    values[0] = UTF8String.fromString(imageId);
    values[1] = encoded.toByteArray();
    values[2] = UTF8String.fromString(imageFormat);
    values[3] = imageWidth;
    values[4] = imageHeight;
    carry(carriedColumns, values);
    put(new GenericInternalRow(values));
  }

  @Override
  public void add(String rowId, ErrorKind errorKind, String text, InternalRow carriedColumns)
      throws IOException {
    Object[] values = new Object[carried.size() + 7];
    values[0] = UTF8String.fromString(rowId);
    carry(carriedColumns, values);
    values[values.length - 2] = UTF8String.fromString(errorKind.text());
    values[values.length - 1] = UTF8String.fromString(text);
    put(new GenericInternalRow(values));
  }

  /** The row's carried-through columns, after the five image columns. */
  private void carry(InternalRow carriedColumns, Object[] values) {
    for (int i = 0; i < carried.size() && i < carriedColumns.numFields(); i++) {
      values[5 + i] =
          carriedColumns.isNullAt(i) ? null : carriedColumns.get(i, carried.fields()[i].dataType());
    }
  }

  private void put(InternalRow row) throws IOException {
    try {
      while (!rows.offer(row, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        if (cancelled) {
          throw new IOException("the task ended before it took all its decoded rows");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while handing over a decoded row", e);
    }
  }

  /** The decode loop handed over its last row. */
  void finish() {
    finished = true;
  }

  /** The decode loop failed: the consumer sees the failure at its next row. */
  void fail(Throwable t) {
    failure = t;
  }

  /**
   * The task ended (its consumer may have stopped early): the decode loop stops at its next row.
   */
  void cancel() {
    cancelled = true;
  }

  @Override
  public boolean hasNext() {
    try {
      while (next == null) {
        next = rows.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (next != null) {
          break;
        }
        rethrowFailure();
        task.killTaskIfInterrupted();
        if (finished && rows.isEmpty()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for decoded rows", e);
    }
  }

  @Override
  public InternalRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    InternalRow row = next;
    next = null;
    return row;
  }

  private void rethrowFailure() {
    Throwable t = failure;
    if (t == null) {
      return;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(t);
  }
}
