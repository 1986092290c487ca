package io.latentdecode.job.cli;

import io.latentdecode.job.bench.BenchRows;
import io.latentdecode.job.bench.DecodeBenchmark;
import io.latentdecode.job.bench.DirectDecoderBenchmark;
import io.latentdecode.job.bench.ScaleBenchmark;
import io.latentdecode.udf.contract.OutputRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code latent-decode bench}: the job at its defaults next to the bare DJL loop (the floor) and
 * the plain script, each a command of its own, measured in one run.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure the job at its defaults (whole command: time, peak memory, time to first"
            + " forward, device utilisation) against the bare DJL loop in its best layout and the"
            + " plain script, same latents, each row a fresh JVM.")
final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "FILE",
      description = "TorchScript decoder file (the job vs a bare loop).")
  Path model;

  @Option(
      names = "--direct",
      paramLabel = "MODEL",
      description =
          "Instead: weights run directly (a diffusers folder or safetensors file): their decode's"
              + " memory under inference mode vs autograd, and with --trace their speed vs the"
              + " TorchScript trace of the same model.")
  String direct;

  @Option(
      names = "--trace",
      paramLabel = "FILE",
      description = "With --direct: the TorchScript trace of the same decode.")
  Path trace;

  @Option(
      names = "--images",
      paramLabel = "N",
      description = "Latents per measured run. Default: ${DEFAULT-VALUE}.")
  int images = 96;

  @Option(
      names = "--channels",
      paramLabel = "C",
      description = "Latent channels. Default: ${DEFAULT-VALUE} (TAEF2).")
  int channels = 32;

  @Option(
      names = "--latent-size",
      paramLabel = "H",
      description =
          "Latent height (and width for --direct); images are 8x. Default: ${DEFAULT-VALUE}.")
  int latentSize = 64;

  @Option(
      names = "--latent-width",
      paramLabel = "W",
      description = "Latent width (--model). Default: ${DEFAULT-VALUE}.")
  int latentWidth = 32;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "--direct and the soak: latents per forward. Default: ${DEFAULT-VALUE}.")
  int batchSize = 4;

  @Option(
      names = "--scale",
      paramLabel = "N",
      split = ",",
      description =
          "Instead: the driver's cost at N tiny latents (comma-separated sizes, e.g."
              + " 10000,100000): first run, resume, +10%% run, each with the preview decoder.")
  java.util.List<Long> scale;

  @Option(
      names = "--scale-formats",
      paramLabel = "FORMAT",
      split = ",",
      description = "With --scale: parquet, npy or both. Default: ${DEFAULT-VALUE}.")
  java.util.List<String> scaleFormats = java.util.List.of("parquet", "npy");

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "With --scale: make the latents and outputs here and keep them (default: a temporary"
              + " folder, emptied after each size and deleted at the end).")
  Path workDir;

  @Option(names = "--row", hidden = true, description = "Run one row: bare or plain.")
  String row;

  @Option(names = "--input", hidden = true, description = "--row: the latents' folder.")
  Path input;

  @Option(names = "--row-output", hidden = true, description = "--row plain: the PNGs' folder.")
  Path rowOutput;

  @Option(names = "--loops", hidden = true, description = "--row bare: loops at once.")
  int loops = 1;

  @Option(
      names = "--output-range",
      paramLabel = "-1,1|0,1",
      description = "Default: 0,1 (TAESD family).")
  OutputRange range = OutputRange.ZERO_TO_ONE;

  @Option(
      names = "--cores",
      paramLabel = "N",
      description = "Threads for both paths. Default: the machine's cores.")
  int cores = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--soak",
      paramLabel = "N",
      description =
          "Also decode N tiny latents in one long run and report resident memory growth between"
              + " its middle and its end. Default: 0 (skip).")
  int soak;

  @Option(
      names = "--soak-only",
      description = "Run only the soak (with --soak N), not the side-by-side measurements.")
  boolean soakOnly;

  @Override
  public Integer call() throws Exception {
    if (row != null) {
      return row();
    }
    if (scale != null) {
      if (!java.util.List.of("parquet", "npy").containsAll(scaleFormats)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--scale-formats takes parquet, npy or both");
      }
      boolean keep = workDir != null;
      Path work =
          keep
              ? Files.createDirectories(workDir.toAbsolutePath())
              : Files.createTempDirectory("latent-decode-scale-");
      try {
        ScaleBenchmark.run(
            scale, scaleFormats, work, keep, new java.io.PrintWriter(System.out, true));
      } finally {
        if (!keep) {
          deleteWorkDir(work);
        }
      }
      return Main.EXIT_OK;
    }
    if (direct != null) {
      DirectDecoderBenchmark.run(
          direct,
          trace == null ? null : trace.toAbsolutePath(),
          images,
          latentSize,
          batchSize,
          cores,
          new java.io.PrintWriter(System.out, true));
      return Main.EXIT_OK;
    }
    if (model == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "bench needs --model FILE (TorchScript) or --direct MODEL");
    }
    if (soakOnly && soak < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--soak-only needs --soak N (the number of latents)");
    }
    Path work = Files.createTempDirectory("latent-decode-bench-");
    DecodeBenchmark.Settings settings =
        new DecodeBenchmark.Settings(
            model.toAbsolutePath(),
            images,
            channels,
            latentSize,
            latentWidth,
            batchSize,
            range,
            cores,
            work);
    java.io.PrintWriter out = new java.io.PrintWriter(System.out, true);
    try {
      if (soakOnly) {
        DecodeBenchmark.soak(settings, soak, out);
      } else {
        DecodeBenchmark.run(settings, soak, out);
      }
    } finally {
      deleteWorkDir(work);
    }
    return Main.EXIT_OK;
  }

  /**
   * Deletes a benchmark's temporary folder (its latents, outputs and rows' logs: about 350 MB for
   * the default decode benchmark); a failed row's log is in the error already.
   */
  private static void deleteWorkDir(Path work) {
    if (!FileUtil.fullyDelete(work.toFile())) {
      System.err.println("bench: could not delete its temporary folder " + work);
    }
  }

  /** One row of the benchmark, as the command the benchmark times. */
  private int row() throws Exception {
    java.io.PrintWriter out = new java.io.PrintWriter(System.out, true);
    switch (row) {
      case "bare" -> BenchRows.bare(model, input, loops, cores, batchSize, out);
      case "plain" -> BenchRows.plain(model, input, rowOutput, cores, batchSize, out);
      default ->
          throw new CommandLine.ParameterException(spec.commandLine(), "--row is bare or plain");
    }
    return Main.EXIT_OK;
  }
}
