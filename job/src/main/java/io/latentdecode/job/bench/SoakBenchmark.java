package io.latentdecode.job.bench;

import io.latentdecode.job.DecodeJob;
import io.latentdecode.job.RunResult;
import io.latentdecode.job.commit.ErrorBudget;
import io.latentdecode.job.config.RunOptions;
import io.latentdecode.job.config.WriteMode;
import io.latentdecode.job.spark.SparkSessions;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.RunMetrics;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.model.ProcessMemory;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A long run over many small latents on embedded Spark (executor in this JVM): resident memory when
 * half of the run's tasks have finished and at the end. Native memory (DJL arrays, Arrow buffers)
 * and heap that leak per batch show as growth between the two.
 */
final class SoakBenchmark {
  private static final int TASKS = 40;

  /** What the halfway columns show when fewer than half the tasks decoded anything. */
  private static final String NOT_HALFWAY = "n/a";

  private SoakBenchmark() {}

  static void run(DecodeBenchmark.Settings s, int latents, PrintWriter out) throws Exception {
    int side = 2;
    Path input = s.workDir().resolve("soak-latents.parquet");
    try (SparkSessions.Session session =
        SparkSessions.obtain(
            Optional.of("local[" + s.cores() + "]"), DecodeBenchmark.EMBEDDED_SPARK)) {
      SparkSession spark = session.spark();
      spark.sparkContext().setLogLevel("WARN");
      writeLatents(spark, input, latents, s.channels(), side);
      AtomicInteger finished = new AtomicInteger();
      AtomicLong half = new AtomicLong();
      AtomicLong halfHeap = new AtomicLong();
      List<String> trace = new java.util.concurrent.CopyOnWriteArrayList<>();
      spark
          .sparkContext()
          .addSparkListener(
              new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                  if (!decodes(end)) {
                    return; // a task of another stage (reading, the shuffle before the decode)
                  }
                  int done = finished.incrementAndGet();
                  if (done == TASKS / 2) {
                    half.set(settledRss());
                    halfHeap.set(heapUsed());
                  }
                  if (done % (TASKS / 10) == 0) {
                    trace.add(done * 100 / TASKS + "%: " + (settledRss() >> 20) + " MB");
                  }
                }
              });
      long start = System.nanoTime();
      RunResult result =
          DecodeJob.run(
              new RunOptions(
                  input.toString(),
                  s.workDir().resolve("soak-out").toString(),
                  s.model().toString(),
                  Optional.of(InputKind.PARQUET),
                  DecodeSettings.of(
                      LatentConvention.plain(1.0, 0.0, s.range()),
                      ImageFormat.PNG,
                      s.batchSize(),
                      DeviceRequest.CPU),
                  new io.latentdecode.udf.contract.DeviceLimits(s.cores(), 0),
                  OptionalInt.of(TASKS),
                  WriteMode.OVERWRITE,
                  TaskPlan.MAX_FILE_BYTES_DEFAULT,
                  ErrorBudget.DEFAULT,
                  Optional.empty(),
                  Map.of(),
                  RunOptions.PROGRESS_INTERVAL_DEFAULT));
      long end = settledRss();
      // too few latents for half the tasks to decode any: nothing was measured halfway
      boolean halfway = half.get() > 0;
      long endHeap = heapUsed();
      Map<?, ?> counts = (Map<?, ?>) result.report().fields().get("counts");
      out.printf(
          "%n| soak | latents | tasks | s | RSS at 50%% | RSS at 100%% | RSS growth | heap at 50%% |"
              + " heap at 100%% |%n"
              + "|---|---:|---:|---:|---:|---:|---:|---:|---:|%n"
              + "| job (png), %d x [%d, %d, %d] | %s | %d | %.1f | %s | %d MB | %s | %s |"
              + " %d MB |%n",
          latents,
          s.channels(),
          side,
          side,
          counts.get("images"),
          TASKS,
          (System.nanoTime() - start) / 1e9,
          halfway ? (half.get() >> 20) + " MB" : NOT_HALFWAY,
          end >> 20,
          halfway
              ? String.format(Locale.ROOT, "%.1f%%", 100.0 * (end - half.get()) / half.get())
              : NOT_HALFWAY,
          halfway ? (halfHeap.get() >> 20) + " MB" : NOT_HALFWAY,
          endHeap >> 20);
      out.printf("%nResident memory as the tasks finish: %s%n", String.join(", ", trace));
      out.flush();
    }
  }

  /** True for the tasks of the decode stage: they add to the run's image count. */
  private static boolean decodes(SparkListenerTaskEnd end) {
    return scala.jdk.javaapi.CollectionConverters.asJava(end.taskInfo().accumulables()).stream()
        .anyMatch(a -> a.name().isDefined() && a.name().get().equals(RunMetrics.IMAGES));
  }

  /** Heap in use after a collection (the caller collects first). */
  private static long heapUsed() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  /**
   * Resident memory once garbage is collected and its native memory given back: direct buffers are
   * freed by cleaner threads after the collection, so the measurement waits a moment for them.
   */
  private static long settledRss() {
    System.gc();
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.gc();
    return rss();
  }

  private static long rss() {
    try {
      return ProcessMemory.residentBytes();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private static void writeLatents(SparkSession spark, Path file, int n, int channels, int side) {
    Random random = new Random(7);
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ByteBuffer b = ByteBuffer.allocate(channels * side * side * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int j = 0; j < channels * side * side; j++) {
        b.putFloat((float) random.nextGaussian());
      }
      rows.add(
          RowFactory.create(String.format("s%06d", i), b.array(), List.of(channels, side, side)));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("latent", DataTypes.BinaryType)
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType));
    spark
        .createDataFrame(rows, schema)
        .coalesce(1)
        .write()
        .mode("overwrite")
        .parquet(file.toString());
  }
}
