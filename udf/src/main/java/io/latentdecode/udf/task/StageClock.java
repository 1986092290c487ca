package io.latentdecode.udf.task;

import io.latentdecode.udf.contract.TaskStages;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Time a task's stages are busy, for the run report. The stages overlap (they run on their own
 * threads), so the stage times add up to more than the task's wall time. Thread-safe.
 */
final class StageClock {
  private final Map<String, Long> nanos = new LinkedHashMap<>();

  StageClock() {
    for (String stage : TaskStages.ORDER) {
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
