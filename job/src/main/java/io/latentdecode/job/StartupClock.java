package io.latentdecode.job;

import java.util.LinkedHashMap;
import java.util.Map;

/** Where a run's start-up time went, step after step, for the run report. */
final class StartupClock {
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private long last = System.nanoTime();

  /** Records the time since the previous lap as {@code step}. */
  void lap(String step) {
    long now = System.nanoTime();
    seconds.put(step, Math.round((now - last) / 1e6) / 1000.0);
    last = now;
  }

  /** Records a duration measured elsewhere (one that overlapped the laps). */
  void put(String step, double value) {
    seconds.put(step, Math.round(value * 1000) / 1000.0);
  }

  Map<String, Double> seconds() {
    return new LinkedHashMap<>(seconds);
  }
}
