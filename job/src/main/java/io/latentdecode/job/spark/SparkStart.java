package io.latentdecode.job.spark;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Spark session starting on its own thread, so that the run's checks that do not need Spark
 * (loading the model and decoding a tiny latent with it) overlap with Spark's start. The thread
 * inherits the caller's active session, so a session that is already running is reused as by {@link
 * SparkSessions#obtain}. A run whose checks fail {@link #abandon()}s it: a session it started is
 * stopped before the error is reported.
 */
public final class SparkStart {
  private final CompletableFuture<SparkSessions.Session> session = new CompletableFuture<>();
  private final long startNanos = System.nanoTime();
  private volatile long readyNanos;

  private SparkStart(Optional<String> master, Map<String, String> conf) {
    Thread starter =
        new Thread(
            () -> {
              try {
                SparkSessions.Session started = SparkSessions.obtain(master, conf);
                readyNanos = System.nanoTime();
                session.complete(started);
              } catch (Throwable t) {
                session.completeExceptionally(t);
              }
            },
            "latent-decode-spark-start");
    starter.setDaemon(true);
    starter.start();
  }

  public static SparkStart begin(Optional<String> master, Map<String, String> conf) {
    return new SparkStart(master, conf);
  }

  /** Waits for the session; rethrows what failed its start. */
  public SparkSessions.Session session() {
    try {
      return session.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Seconds Spark took to start (once {@link #session()} returned). */
  public double startSeconds() {
    return readyNanos == 0 ? 0 : (readyNanos - startNanos) / 1e9;
  }

  /** The run will not go on: stops a session this start created, once it is up. */
  public void abandon() {
    try {
      session().close();
    } catch (RuntimeException | Error ignored) {
      // a session that failed to start needs no stopping
    }
  }
}
