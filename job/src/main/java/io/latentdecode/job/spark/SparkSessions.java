package io.latentdecode.job.spark;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * The run's Spark session. Under {@code spark-submit} (which sets {@code spark.master}) it uses
 * what spark-submit configured; started with plain {@code java -jar}, it runs embedded on {@code
 * local[*]} unless {@code --master} says otherwise. A session that is already active (a notebook, a
 * test) is reused and left running.
 */
public final class SparkSessions {
  public static final String EMBEDDED_MASTER = "local[*]";
  private static final String SHOW_CONSOLE_PROGRESS = "spark.ui.showConsoleProgress";

  private SparkSessions() {}

  /** A session and whether this run created it (and so must stop it). */
  public record Session(SparkSession spark, boolean created) implements AutoCloseable {
    @Override
    public void close() {
      if (created) {
        spark.stop();
      }
    }
  }

  public static Session obtain(Optional<String> master, Map<String, String> conf) {
    Optional<SparkSession> active = asJava(SparkSession.getActiveSession());
    if (active.isPresent()) {
      conf.forEach((k, v) -> active.get().conf().set(k, v));
      return new Session(active.get(), false);
    }
    SparkSession.Builder builder = SparkSession.builder().appName("latent-decode");
    if (master.isPresent()) {
      builder.master(master.get());
    } else if (System.getProperty("spark.master") == null) {
      builder.master(EMBEDDED_MASTER);
    }
    if (!conf.containsKey(SHOW_CONSOLE_PROGRESS)
        && System.getProperty(SHOW_CONSOLE_PROGRESS) == null) {
      builder.config(SHOW_CONSOLE_PROGRESS, "false"); // the run shows its own progress line
    }
    conf.forEach(builder::config);
    return new Session(builder.getOrCreate(), true);
  }

  private static Optional<SparkSession> asJava(scala.Option<SparkSession> option) {
    return option.isDefined() ? Optional.of(option.get()) : Optional.empty();
  }
}
