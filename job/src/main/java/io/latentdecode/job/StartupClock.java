package io.latentdecode.job;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run's start-up time went, step after step, for the run report: from the command's start
 * ({@code command_line}: the JVM's start and the command line, where the command started before the
 * run) to the run's start, then each step of the run's.
 */
final class StartupClock {
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private final Instant commandStarted;
  private long last = System.nanoTime();

  StartupClock(Instant commandStarted, Instant runStarted) {
    boolean earlier = commandStarted.isBefore(runStarted);
    this.commandStarted = earlier ? commandStarted : runStarted;
    if (earlier) {
      put("command_line", Duration.between(commandStarted, runStarted).toNanos() / 1e9);
    }
  }

  /** When the command that runs this run started (the run's start where it started no earlier). */
  Instant commandStarted() {
    return commandStarted;
  }

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
