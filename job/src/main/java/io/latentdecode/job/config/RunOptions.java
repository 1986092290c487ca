package io.latentdecode.job.config;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceLimits;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.OutputFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One run, as the user asked for it: validated at construction, before any Spark work.
 *
 * @param input URI of a folder or file of latents
 * @param output URI of the output folder
 * @param model URI of the decoder: a diffusers VAE or pipeline folder, a safetensors checkpoint, or
 *     a TorchScript file
 * @param modelVariant the weights variant of a diffusers folder ({@code fp16}), or empty
 * @param conventionFlags the preset and convention flags as given; with the model's own conventions
 *     they decide the conventions the run decodes with
 * @param inputFormat the latent format, or empty to detect it from file names
 * @param settings how latents become pixels (its conventions: the flags' alone, before the model's
 *     are known)
 * @param deviceLimits how much of an executor's device the tasks may take
 * @param partitions how many Spark partitions to decode in, or empty to let Spark split the input
 * @param mode what to do with an existing output
 * @param maxFileBytes tasks roll to a new image file past this size
 * @param maxFileRows ... or once it holds this many images (WebDataset shards)
 * @param outputFormat the files the images are written as
 * @param maxErrorFraction the share of quarantined rows above which the run is not committed
 * @param master Spark master URL, or empty for spark-submit's or embedded {@code local[*]}
 * @param sparkConf extra Spark settings ({@code --conf key=value})
 * @param progressInterval how often the progress is logged when the console is not a terminal
 */
public record RunOptions(
    String input,
    String output,
    String model,
    Optional<String> modelVariant,
    ConventionFlags conventionFlags,
    Optional<InputKind> inputFormat,
    DecodeSettings settings,
    DeviceLimits deviceLimits,
    OptionalInt partitions,
    WriteMode mode,
    long maxFileBytes,
    long maxFileRows,
    OutputFormat outputFormat,
    double maxErrorFraction,
    Optional<String> master,
    Map<String, String> sparkConf,
    java.time.Duration progressInterval) {

  public static final java.time.Duration PROGRESS_INTERVAL_DEFAULT =
      java.time.Duration.ofSeconds(30);

  /**
   * A run whose conventions are all in {@code settings}, whose model needs no variant, writing
   * Arrow files.
   */
  public RunOptions(
      String input,
      String output,
      String model,
      Optional<InputKind> inputFormat,
      DecodeSettings settings,
      DeviceLimits deviceLimits,
      OptionalInt partitions,
      WriteMode mode,
      long maxFileBytes,
      double maxErrorFraction,
      Optional<String> master,
      Map<String, String> sparkConf,
      java.time.Duration progressInterval) {
    this(
        input,
        output,
        model,
        Optional.empty(),
        ConventionFlags.explicit(settings.convention()),
        inputFormat,
        settings,
        deviceLimits,
        partitions,
        mode,
        maxFileBytes,
        Long.MAX_VALUE,
        OutputFormat.DEFAULT,
        maxErrorFraction,
        master,
        sparkConf,
        progressInterval);
  }

  public RunOptions {
    requireNonNull(input, "input is null");
    requireNonNull(modelVariant, "modelVariant is null");
    requireNonNull(conventionFlags, "conventionFlags is null");
    requireNonNull(output, "output is null");
    requireNonNull(model, "model is null");
    requireNonNull(inputFormat, "inputFormat is null");
    requireNonNull(settings, "settings is null");
    requireNonNull(deviceLimits, "deviceLimits is null");
    requireNonNull(partitions, "partitions is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(outputFormat, "outputFormat is null");
    requireNonNull(master, "master is null");
    sparkConf = Map.copyOf(sparkConf);
    requireNonNull(progressInterval, "progressInterval is null");
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new IllegalArgumentException("Invalid --progress-interval: must be at least 1 second");
    }
    if (partitions.isPresent() && partitions.getAsInt() < 1) {
      throw new IllegalArgumentException(
          "Invalid --partitions " + partitions.getAsInt() + ": must be at least 1");
    }
    if (!(maxErrorFraction >= 0 && maxErrorFraction <= 1)) {
      throw new IllegalArgumentException(
          "Invalid --max-error-fraction " + maxErrorFraction + ": must be between 0 and 1");
    }
    if (outputFormat == OutputFormat.FILES && settings.imageFormat() == ImageFormat.RAW) {
      throw new IllegalArgumentException(
          "Invalid --image-format raw with --output-format files: a raw image file has no width or"
              + " height; use --image-format png, or raw in arrow, parquet or webdataset output");
    }
    if (maxFileRows < 1) {
      throw new IllegalArgumentException("Invalid --shard-samples: must be at least 1");
    }
    if (maxFileBytes < 1024 * 1024) {
      throw new IllegalArgumentException("Invalid --max-file-mb: must be at least 1 MB");
    }
  }
}
