package io.latentdecode.job.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.latentdecode.job.DecodeJob;
import io.latentdecode.job.RunResult;
import io.latentdecode.job.commit.ErrorBudget;
import io.latentdecode.job.config.RunOptions;
import io.latentdecode.job.config.WriteMode;
import io.latentdecode.job.spark.SparkSessions;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceLimits;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.latent.NpyFile;
import io.latentdecode.udf.model.EngineSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;

/**
 * Decode throughput of the job against a bare DJL loop over the same latents, side by side in one
 * JVM: the bare loop first (the floor), then the job on a warm embedded Spark in two thread
 * layouts. Prints a table of seconds per image and the job's efficiency (bare time / job time).
 */
public final class DecodeBenchmark {
  /** What to measure. */
  public record Settings(
      Path model,
      int images,
      int channels,
      int latentSize,
      int batchSize,
      OutputRange range,
      int cores,
      Path workDir) {}

  private record Row(String path, String layout, int images, double seconds) {}

  /** Embedded Spark for measurements: loopback only, no UI. */
  static final Map<String, String> EMBEDDED_SPARK =
      Map.of(
          "spark.ui.enabled",
          "false",
          "spark.driver.host",
          "127.0.0.1",
          "spark.driver.bindAddress",
          "127.0.0.1");

  private DecodeBenchmark() {}

  /** Only the soak: a long run's resident memory. */
  public static void soak(Settings s, int latents, PrintWriter out) throws Exception {
    Files.createDirectories(s.workDir());
    EngineSetup.configure(s.cores());
    SoakBenchmark.run(s, latents, out);
  }

  public static void run(Settings s, int soakLatents, PrintWriter out) throws Exception {
    Files.createDirectories(s.workDir());
    int[] shape = {s.channels(), s.latentSize(), s.latentSize()};
    List<float[]> latents = new ArrayList<>();
    Path input = Files.createDirectories(s.workDir().resolve("latents"));
    Path warmInput = Files.createDirectories(s.workDir().resolve("warmup"));
    Random random = new Random(42);
    for (int i = 0; i < s.images(); i++) {
      float[] values = new float[shape[0] * shape[1] * shape[2]];
      for (int j = 0; j < values.length; j++) {
        values[j] = (float) random.nextGaussian();
      }
      latents.add(values);
      Files.write(input.resolve(String.format("l%04d.npy", i)), NpyFile.float32(values, shape));
      if (i < 2) {
        Files.write(warmInput.resolve(i + ".npy"), NpyFile.float32(values, shape));
      }
    }
    out.printf(
        "Benchmark: %d latents %s -> %dx%d images, batch %d, %d cores, model %s%n",
        s.images(),
        java.util.Arrays.toString(shape),
        s.latentSize() * 8,
        s.latentSize() * 8,
        s.batchSize(),
        s.cores(),
        s.model());
    out.flush();

    EngineSetup.configure(s.cores());
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch before JniUtils is called
    // First, in a fresh process: peak resident memory is only comparable before other decodes have
    // left memory in the allocator's free lists.
    java.io.StringWriter memory = new java.io.StringWriter();
    InferenceMemoryComparison.run(s.model(), s.channels(), 32, 4, new PrintWriter(memory));
    List<Row> rows = new ArrayList<>();
    JniUtils.setNumThreads(s.cores());
    rows.add(
        new Row(
            "bare DJL loop",
            "1 loop x " + s.cores() + " threads",
            s.images(),
            BareDecodeLoop.run(s.model(), latents, shape, s.batchSize()) / 1e9));

    Path channelsLast =
        s.model()
            .resolveSibling(
                s.model().getFileName().toString().replace(".ts.pt", ".channels_last.ts.pt"));
    if (!channelsLast.equals(s.model()) && Files.isRegularFile(channelsLast)) {
      rows.add(
          new Row(
              "bare DJL loop, channels-last export (" + channelsLast.getFileName() + ")",
              "1 loop x " + s.cores() + " threads",
              s.images(),
              BareDecodeLoop.run(channelsLast, latents, shape, s.batchSize()) / 1e9));
    }
    rows.add(job(s, input, warmInput, 1, s.cores(), ImageFormat.RAW));
    rows.add(job(s, input, warmInput, s.cores(), 1, ImageFormat.RAW));
    rows.add(job(s, input, warmInput, s.cores(), 1, ImageFormat.PNG));
    // The bare loop again, after the jobs: on a shared, noisy machine the faster of the two bare
    // runs is the reference, so that noise can only lower the job's efficiency, never raise it.
    JniUtils.setNumThreads(s.cores());
    rows.add(
        new Row(
            "bare DJL loop, again",
            "1 loop x " + s.cores() + " threads",
            s.images(),
            BareDecodeLoop.run(s.model(), latents, shape, s.batchSize()) / 1e9));

    double bare =
        Math.min(
            rows.get(0).seconds() / rows.get(0).images(),
            rows.get(rows.size() - 1).seconds() / rows.get(rows.size() - 1).images());
    out.printf(
        "%n| path | layout | images | s/image | images/s | efficiency vs bare (faster bare run) |%n");
    out.printf("|---|---|---:|---:|---:|---:|%n");
    for (Row r : rows) {
      double perImage = r.seconds() / r.images();
      out.printf(
          "| %s | %s | %d | %.3f | %.2f | %.2f |%n",
          r.path(), r.layout(), r.images(), perImage, 1 / perImage, bare / perImage);
    }
    out.flush();
    PngEncoderComparison.run(s.workDir().resolve("out-" + s.cores() + "-raw"), 3, out);
    out.print(memory);
    out.flush();
    if (soakLatents > 0) {
      SoakBenchmark.run(s, soakLatents, out);
    }
  }

  private static Row job(
      Settings s, Path input, Path warmInput, int slots, int threads, ImageFormat format)
      throws IOException {
    JniUtils.setNumThreads(threads);
    try (SparkSessions.Session session =
        SparkSessions.obtain(Optional.of("local[" + slots + "]"), EMBEDDED_SPARK)) {
      session.spark().sparkContext().setLogLevel("WARN");
      // The intra-op threads change here at run time (JniUtils), not through the engine's
      // property the admission default reads: admit one forward per task slot.
      DeviceLimits limits = new DeviceLimits(slots, 0);
      run(
          s,
          warmInput,
          s.workDir().resolve("warm-" + slots + "-" + format.text()),
          format,
          2,
          limits);
      RunResult result =
          run(
              s,
              input,
              s.workDir().resolve("out-" + slots + "-" + format.text()),
              format,
              s.images(),
              limits);
      double seconds = ((Number) result.report().fields().get("duration_seconds")).doubleValue();
      return new Row(
          "job (" + format.text() + ")",
          "local[" + slots + "] x " + threads + " threads",
          s.images(),
          seconds);
    }
  }

  private static RunResult run(
      Settings s,
      Path input,
      Path output,
      ImageFormat format,
      int partitionsHint,
      DeviceLimits limits) {
    return DecodeJob.run(
        new RunOptions(
            input.toString(),
            output.toString(),
            s.model().toString(),
            Optional.of(InputKind.NPY),
            DecodeSettings.of(
                LatentConvention.plain(1.0, 0.0, s.range()),
                format,
                s.batchSize(),
                DeviceRequest.CPU),
            limits,
            OptionalInt.of(Math.max(1, Math.min(partitionsHint, s.cores() * 2))),
            WriteMode.OVERWRITE,
            TaskPlan.MAX_FILE_BYTES_DEFAULT,
            ErrorBudget.DEFAULT,
            Optional.empty(),
            Map.of(),
            RunOptions.PROGRESS_INTERVAL_DEFAULT));
  }
}
