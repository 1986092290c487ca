package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.progress.RunProgress;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * While a run decodes: off a terminal (as here) the driver logs a progress line every {@code
 * --progress-interval} and a last one with the totals; the tasks' counts and times reach Spark as
 * named accumulators, in the task-end events that feed the Spark UI and the event log.
 */
class ProgressAndMetricsTest extends SparkJobTest {
  @Test
  void progressIsLoggedAndMetricsReachSpark(@TempDir Path tmp) throws Exception {
    Path in = tmp.resolve("in");
    TestLatents.randomNpys(in, "z", 6, 32, 32, 32);
    TestLatents.write(in.resolve("broken.npy"), new byte[] {1, 2, 3});
    List<String> logged = new CopyOnWriteArrayList<>();
    AbstractAppender capture =
        new AbstractAppender("progress-capture", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            logged.add(event.getMessage().getFormattedMessage());
          }
        };
    capture.start();
    Logger logger = (Logger) LogManager.getLogger(RunProgress.class);
    logger.addAppender(capture);
    Map<String, Long> accumulated = new ConcurrentHashMap<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onTaskEnd(SparkListenerTaskEnd end) {
            for (AccumulableInfo info :
                CollectionConverters.asJava(end.taskInfo().accumulables())) {
              if (info.name().isDefined()
                  && info.name().get().startsWith("latent-decode.")
                  && info.update().isDefined()) {
                accumulated.merge(info.name().get(), (Long) info.update().get(), Long::sum);
              }
            }
          }
        };
    spark.sparkContext().addSparkListener(listener);
    CliRun.Result r;
    try {
      r =
          CliRun.decode(
              in.toString(),
              tmp.resolve("out").toString(),
              SharedData.taef2Decoder().toString(),
              "--preset",
              "taef2",
              "--batch-size",
              "1",
              "--partitions",
              "3",
              "--max-error-fraction",
              "0.5",
              "--progress-interval",
              "1");
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      logger.removeAppender(capture);
      spark.sparkContext().removeSparkListener(listener);
    }

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(logged)
        .anyMatch(
            l -> l.matches("Progress: \\d/3 tasks, \\d images, \\d errors, .* images/s, .* left"));
    assertThat(logged).contains(logged.get(logged.size() - 1));
    assertThat(logged.get(logged.size() - 1))
        .startsWith("Decoded: 3/3 tasks, 6 images, 1 errors, ")
        .endsWith(" 0:00:00 left");
    assertThat(accumulated)
        .containsEntry("latent-decode.images", 6L)
        .containsEntry("latent-decode.errors", 1L)
        .containsEntry("latent-decode.batches", 6L);
    assertThat(accumulated.get("latent-decode.forward_ms")).isPositive();
    assertThat(accumulated.get("latent-decode.encode_ms")).isNotNull();
  }
}
