package io.latentdecode.job.config;

import java.util.Locale;

/** What a run does when {@code --output} already holds something. */
public enum WriteMode {
  /**
   * Decode only inputs no earlier run committed (from the task manifests), after sweeping what dead
   * runs left behind.
   */
  RESUME,
  /** Delete what is there, then write this run. */
  OVERWRITE,
  /** Refuse to start when the output holds anything. */
  FAIL_IF_EXISTS;

  public static final WriteMode DEFAULT = RESUME;

  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static WriteMode parse(String text) {
    for (WriteMode m : values()) {
      if (m.text().equalsIgnoreCase(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "Invalid mode '" + text + "': expected resume, overwrite or fail-if-exists");
  }
}
