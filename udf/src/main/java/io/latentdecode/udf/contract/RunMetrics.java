package io.latentdecode.udf.contract;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The run's Spark metrics: named accumulators the tasks add to as they go, so they appear in the
 * Spark UI (stage and task pages), in the event log, and on the driver's progress line (Spark sends
 * running tasks' values with executor heartbeats). Travels inside the task closure, not in a
 * broadcast, so that Spark registers them with every task.
 */
public final class RunMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String PREFIX = "latent-decode.";
  public static final String IMAGES = PREFIX + "images";
  public static final String ERRORS = PREFIX + "errors";
  public static final String BATCHES = PREFIX + "batches";
  public static final String OOM_SPLITS = PREFIX + "oom_splits";
  public static final String FORWARD_MS = PREFIX + "forward_ms";
  public static final String ENCODE_MS = PREFIX + "encode_ms";

  private final LongAccumulator images;
  private final LongAccumulator errors;
  private final LongAccumulator batches;
  private final LongAccumulator oomSplits;
  private final LongAccumulator forwardMillis;
  private final LongAccumulator encodeMillis;

  private RunMetrics(SparkContext sc) {
    images = sc.longAccumulator(IMAGES);
    errors = sc.longAccumulator(ERRORS);
    batches = sc.longAccumulator(BATCHES);
    oomSplits = sc.longAccumulator(OOM_SPLITS);
    forwardMillis = sc.longAccumulator(FORWARD_MS);
    encodeMillis = sc.longAccumulator(ENCODE_MS);
  }

  /** Registers the run's accumulators (driver side). */
  public static RunMetrics register(SparkContext sc) {
    return new RunMetrics(sc);
  }

  // Tasks add from their pipeline's threads: LongAccumulator is not thread-safe, so each add holds
  // the accumulator's lock.

  public void addImages(long n) {
    add(images, n);
  }

  public void addErrors(long n) {
    add(errors, n);
  }

  public void addBatch(int oomSplitsOfBatch, long forwardNanos) {
    add(batches, 1);
    add(oomSplits, oomSplitsOfBatch);
    add(forwardMillis, forwardNanos / 1_000_000);
  }

  public void addEncodeNanos(long nanos) {
    add(encodeMillis, nanos / 1_000_000);
  }

  /** Images of finished tasks so far (driver side). */
  public long images() {
    return images.value();
  }

  /** Errors of finished tasks so far (driver side). */
  public long errors() {
    return errors.value();
  }

  private static void add(LongAccumulator accumulator, long n) {
    if (n != 0) {
      synchronized (accumulator) {
        accumulator.add(n);
      }
    }
  }
}
