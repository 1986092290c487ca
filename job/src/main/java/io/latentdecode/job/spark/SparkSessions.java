package io.latentdecode.job.spark;

import io.latentdecode.udf.model.MallocSettings;
import io.latentdecode.udf.output.NioLocalFileSystem;
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
  private static final String UI_ENABLED = "spark.ui.enabled";
  private static final String SESSION_TIME_ZONE = "spark.sql.session.timeZone";
  static final String IO_MODE = "spark.io.mode.default";
  static final String DRIVER_METRICS_SERVLET = "spark.metrics.conf.driver.sink.servlet.class";
  static final String EXECUTOR_MALLOC = "spark.executorEnv." + MallocSettings.VARIABLE;
  static final String LOCAL_FILE_SYSTEM = "spark.hadoop." + NioLocalFileSystem.IMPL_KEY;

  private SparkSessions() {}

  /** A session and whether this run created it (and so must stop it). */
  public record Session(SparkSession spark, boolean created) implements AutoCloseable {
    /**
     * The session's time zone. A session this run created has it in its Spark settings, read
     * without building the SQL session state (about half a second before the first task); a reused
     * one may have had it changed at run time.
     */
    public String sessionTimeZone() {
      if (created) {
        return spark
            .sparkContext()
            .getConf()
            .get(SESSION_TIME_ZONE, java.util.TimeZone.getDefault().getID());
      }
      return spark.conf().get(SESSION_TIME_ZONE);
    }

    @Override
    public void close() {
      if (created) {
        spark.stop();
      }
    }
  }

  public static Session obtain(Optional<String> master, Map<String, String> conf) {
    // the classic session's own builder: the API's SparkSession.builder() first finds its
    // implementation through Scala's runtime reflection, whose start took 2-3 s of Spark's start
    // here
    Optional<SparkSession> active =
        asJava(org.apache.spark.sql.classic.SparkSession.getActiveSession());
    if (active.isPresent()) {
      conf.forEach((k, v) -> active.get().conf().set(k, v));
      return new Session(active.get(), false);
    }
    org.apache.spark.sql.classic.SparkSession.Builder builder =
        org.apache.spark.sql.classic.SparkSession.builder().appName("latent-decode");
    String effectiveMaster = effectiveMaster(master);
    builder.master(effectiveMaster);
    defaults(effectiveMaster, conf).forEach(builder::config);
    conf.forEach(builder::config);
    return new Session(builder.getOrCreate(), true);
  }

  /** The settings a session this run starts gets unless {@code --conf} or spark-submit set them. */
  static Map<String, String> defaults(String effectiveMaster, Map<String, String> conf) {
    Map<String, String> defaults = new java.util.LinkedHashMap<>();
    if (unset(SHOW_CONSOLE_PROGRESS, conf)) {
      defaults.put(SHOW_CONSOLE_PROGRESS, "false"); // the run shows its own progress line
    }
    if (effectiveMaster.startsWith("local") && unset(UI_ENABLED, conf)) {
      // an embedded run shows its progress and writes its report page; the web UI's start (about
      // a second) would come before the first forward. --conf spark.ui.enabled=true brings it back
      defaults.put(UI_ENABLED, "false");
      if (unset(DRIVER_METRICS_SERVLET, conf)) {
        // with no UI to attach it to, the driver's metrics servlet need not build its Jetty handler
        // (0.1 s of Spark's start)
        defaults.put(DRIVER_METRICS_SERVLET, NoWebUiMetricsServlet.class.getName());
      }
    }
    boolean tasksInThisJvm = tasksRunInThisJvm(effectiveMaster);
    if (tasksInThisJvm && unset(LOCAL_FILE_SYSTEM, conf)) {
      // Spark's own file: uses share the JVM's cached file system with the run's: the same one,
      // without a chmod process per file created (the tasks' settings name it on any master;
      // Spark's own settings only where this JVM's class path surely has it)
      defaults.put(LOCAL_FILE_SYSTEM, NioLocalFileSystem.class.getName());
    }
    if (tasksInThisJvm && unset(IO_MODE, conf)) {
      // Spark's sockets stay in this JVM: Java's own NIO serves them, where Netty's default (epoll
      // on Linux) unpacks and loads a native library first, 0.2 s of Spark's start
      defaults.put(IO_MODE, "NIO");
    }
    if (!tasksInThisJvm && unset(EXECUTOR_MALLOC, conf)) {
      // executors' own JVMs decode: they get the allocator settings the launcher gives this one
      defaults.put(EXECUTOR_MALLOC, MallocSettings.TUNABLES);
    }
    return defaults;
  }

  /**
   * Whether a master runs its tasks in the driver's own JVM: {@code local} and {@code local[...]},
   * not {@code local-cluster[...]}, whose executors are JVMs of their own.
   */
  public static boolean tasksRunInThisJvm(String effectiveMaster) {
    return effectiveMaster.equals("local") || effectiveMaster.startsWith("local[");
  }

  /** The master a session this run starts gets: {@code --master}, spark-submit's, or embedded. */
  public static String effectiveMaster(Optional<String> master) {
    return master.orElse(System.getProperty("spark.master", EMBEDDED_MASTER));
  }

  /** Neither {@code --conf} nor a system property (spark-submit's way) sets the key. */
  private static boolean unset(String key, Map<String, String> conf) {
    return !conf.containsKey(key) && System.getProperty(key) == null;
  }

  private static Optional<SparkSession> asJava(scala.Option<? extends SparkSession> option) {
    return option.isDefined() ? Optional.of(option.get()) : Optional.empty();
  }
}
