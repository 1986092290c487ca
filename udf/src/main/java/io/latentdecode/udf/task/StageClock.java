package io.latentdecode.udf.task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Time a task's stages are busy, for the run report. The stages overlap (they run on their own
 * threads), so the stage times add up to more than the task's wall time. Thread-safe.
 */
final class StageClock {
  static final String READ = "read";
  static final String BATCH_SIZING = "batch_sizing";
  static final String PREPROCESS = "preprocess";
  static final String POSTPROCESS = "postprocess";
  static final String WAIT_FOR_DEVICE = "wait_for_device";
  static final String FORWARD = "forward";
  static final String ENCODE = "encode";
  static final String WRITE = "write";
  static final String PUBLISH = "publish";

  /** The stages, in the order work flows through them. */
  static final List<String> ORDER =
      List.of(
          READ,
          BATCH_SIZING,
          PREPROCESS,
          WAIT_FOR_DEVICE,
          FORWARD,
          POSTPROCESS,
          ENCODE,
          WRITE,
          PUBLISH);

  private final Map<String, Long> nanos = new LinkedHashMap<>();

  StageClock() {
    for (String stage : ORDER) {
      nanos.put(stage, 0L);
    }
  }

  synchronized void add(String stage, long elapsedNanos) {
    nanos.merge(stage, elapsedNanos, Long::sum);
  }

  /** Adds the time since {@code startNanos} to the stage; returns now, to chain stages. */
  long since(String stage, long startNanos) {
    long now = System.nanoTime();
    add(stage, now - startNanos);
    return now;
  }

  synchronized Map<String, Long> snapshot() {
    return Map.copyOf(nanos);
  }
}
