package io.latentdecode.udf.task;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time a task spends per stage, for the run report. Not thread-safe: one per task. */
final class StageClock {
  static final String READ = "read";
  static final String PREPOST = "pre_post_process";
  static final String FORWARD = "forward";
  static final String ENCODE = "encode";
  static final String WRITE = "write";
  static final String PUBLISH = "publish";

  private final Map<String, Long> nanos = new LinkedHashMap<>();

  StageClock() {
    for (String stage : new String[] {READ, PREPOST, FORWARD, ENCODE, WRITE, PUBLISH}) {
      nanos.put(stage, 0L);
    }
  }

  void add(String stage, long elapsedNanos) {
    nanos.merge(stage, elapsedNanos, Long::sum);
  }

  /** Adds the time since {@code startNanos} to the stage; returns now, to chain stages. */
  long since(String stage, long startNanos) {
    long now = System.nanoTime();
    add(stage, now - startNanos);
    return now;
  }

  Map<String, Long> snapshot() {
    return Map.copyOf(nanos);
  }
}
