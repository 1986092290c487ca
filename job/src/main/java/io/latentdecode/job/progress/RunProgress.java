package io.latentdecode.job.progress;

import io.latentdecode.udf.contract.RunMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The driver's progress line while a run decodes: tasks done of all, images and errors so far,
 * images per second and the time left. On a terminal a live bar ({@code me.tongfei:progressbar}) on
 * stderr; otherwise an INFO log line every interval. Counts come from the run's accumulators:
 * finished tasks' values, plus running tasks' values from executor heartbeats.
 */
public final class RunProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunProgress.class);

  private final SparkContext sc;
  private final RunMetrics metrics;
  private final int rddId;
  private final Listener listener = new Listener();
  private final Thread updater;
  private final long startNanos = System.nanoTime();
  private volatile boolean closed;
  private ProgressBar bar;

  private RunProgress(
      SparkContext sc, RunMetrics metrics, int rddId, boolean terminal, Duration every) {
    this.sc = sc;
    this.metrics = metrics;
    this.rddId = rddId;
    sc.addSparkListener(listener);
    updater =
        new Thread(
            () -> {
              try {
                while (!closed) {
                  if (terminal) {
                    showBar();
                    Thread.sleep(500);
                  } else {
                    Thread.sleep(every.toMillis());
                    if (!closed && listener.total.get() > 0) {
                      LOG.info("Progress: {}", line());
                    }
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "latent-decode-progress");
    updater.setDaemon(true);
    updater.start();
  }

  /**
   * Follows the tasks of the stages that compute the RDD {@code rddId} (the decode), whichever job
   * runs them.
   *
   * @param terminal a live bar; else a log line every {@code every}
   */
  public static RunProgress start(
      SparkContext sc, RunMetrics metrics, int rddId, boolean terminal, Duration every) {
    return new RunProgress(sc, metrics, rddId, terminal, every);
  }

  /**
   * Whether the driver's console is a terminal (then the bar shows; Spark's own bar should not).
   */
  public static boolean onTerminal() {
    return System.console() != null;
  }

  /** E.g. {@code 7/12 tasks, 3421 images, 2 errors, 41.3 images/s, 0:00:52 left}. */
  String line() {
    int done = listener.done.get();
    int total = listener.total.get();
    long images = images();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    String left = "?";
    if (done > 0 && done < total) {
      long s = Math.round(seconds * (total - done) / done);
      left = String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    } else if (done == total && total > 0) {
      left = "0:00:00";
    }
    return String.format(
        "%d/%d tasks, %d images, %d errors, %.1f images/s, %s left",
        done, total, images, errors(), seconds > 0 ? images / seconds : 0.0, left);
  }

  private long images() {
    return metrics.images() + listener.running(RunMetrics.IMAGES);
  }

  private long errors() {
    return metrics.errors() + listener.running(RunMetrics.ERRORS);
  }

  private synchronized void showBar() {
    int total = listener.total.get();
    if (total == 0) {
      return;
    }
    if (bar == null) {
      bar =
          new ProgressBarBuilder()
              .setTaskName("Decoding")
              .setInitialMax(total)
              .setUnit(" tasks", 1)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(500)
              .build();
    }
    bar.stepTo(listener.done.get());
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long images = images();
    bar.setExtraMessage(
        String.format(
            "%d images, %d errors, %.1f images/s",
            images, errors(), seconds > 0 ? images / seconds : 0.0));
  }

  @Override
  public void close() {
    closed = true;
    updater.interrupt();
    try {
      updater.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sc.removeSparkListener(listener);
    synchronized (this) {
      if (bar != null) {
        bar.stepTo(listener.done.get());
        bar.close();
      }
    }
    LOG.info("Decoded: {}", line());
  }

  private final class Listener extends SparkListener {
    final AtomicInteger total = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final Set<Integer> stages = ConcurrentHashMap.newKeySet();

    /** Per running task: its accumulators' values as of its last heartbeat. */
    final Map<Long, Map<String, Long>> runningValues = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      for (StageInfo stage : CollectionConverters.asJava(start.stageInfos())) {
        boolean decodes =
            CollectionConverters.asJava(stage.rddInfos()).stream().anyMatch(r -> r.id() == rddId);
        if (decodes && stages.add(stage.stageId())) {
          total.addAndGet(stage.numTasks());
        }
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (!stages.contains(end.stageId())) {
        return;
      }
      runningValues.remove(end.taskInfo().taskId());
      if (end.reason() == Success$.MODULE$) {
        done.incrementAndGet();
      }
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
      for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task :
          CollectionConverters.asJava(update.accumUpdates())) {
        if (!stages.contains((Integer) task._2())) {
          continue;
        }
        Map<String, Long> values = new ConcurrentHashMap<>();
        for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
          if (info.name().isDefined()
              && info.name().get().startsWith(RunMetrics.PREFIX)
              && info.update().isDefined()
              && info.update().get() instanceof Long value) {
            values.put(info.name().get(), value);
          }
        }
        runningValues.put((Long) task._1(), values);
      }
    }

    long running(String name) {
      return runningValues.values().stream().mapToLong(v -> v.getOrDefault(name, 0L)).sum();
    }
  }
}
