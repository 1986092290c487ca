package io.latentdecode.job.cli;

import io.latentdecode.job.DecodeJob;
import io.latentdecode.job.RunResult;
import io.latentdecode.job.commit.ErrorBudget;
import io.latentdecode.job.config.ConventionFlags;
import io.latentdecode.job.config.LatentConventions;
import io.latentdecode.job.config.RunOptions;
import io.latentdecode.job.config.WriteMode;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceLimits;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.EncodingOptions;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.LatentPacking;
import io.latentdecode.udf.contract.OutputFormat;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.contract.Precision;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.contract.Tiling;
import io.latentdecode.udf.decode.BatchSizes;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latent-decode run}: decode a folder or bucket of latents into Arrow image files. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Decode latents into images with a TorchScript VAE decoder on Spark.",
      "Math: z = latent * std / scaling-factor + mean + shift-factor (per channel; std, mean from"
          + " the preset, else 1 and 0); x = decoder(z); x mapped from --output-range to [0, 1],"
          + " clamped, x255, rounded to 8-bit RGB."
    },
    sortOptions = false)
final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand private Main parent; // knows when the command started

  @Option(
      names = "--input",
      required = true,
      paramLabel = "URI",
      description =
          "Folder or file of latents: *.npy, *.safetensors, or Parquet/Arrow tables with"
              + " id/latent/shape[/dtype]; any Hadoop URI.")
  String input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "URI",
      description = "Output folder for Arrow image files.")
  String output;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "URI",
      description =
          "The decoder: a diffusers VAE folder (config.json + diffusion_pytorch_model"
              + ".safetensors), a pipeline folder (its vae/), a Hugging Face cache folder, a"
              + " single-file safetensors checkpoint (original LDM/FLUX or TAESD naming; needs"
              + " --preset for AutoencoderKL), or a TorchScript file.")
  String model;

  @Option(
      names = "--model-variant",
      paramLabel = "NAME",
      description =
          "Weights variant of a diffusers folder: fp16 reads diffusion_pytorch_model.fp16"
              + ".safetensors. Default: the full-precision file, else the only variant.")
  String modelVariant;

  @Option(
      names = "--input-format",
      paramLabel = "npy|safetensors|parquet|arrow",
      description = "Latent format. Default: detected.")
  InputKind inputFormat;

  @Option(
      names = "--preset",
      paramLabel = "NAME|FILE",
      description =
          "Decode conventions in one word: sd15, sdxl, sd3, flux1, taesd, taesdxl, taesd3, taef1,"
              + " taef2, or a preset JSON file (copy one from conf/presets/). Flags below override it.")
  String preset;

  @Option(
      names = "--scaling-factor",
      paramLabel = "F",
      description = "Divide latents by F. Default: the preset's, else 1.")
  Double scalingFactor;

  @Option(
      names = "--shift-factor",
      paramLabel = "F",
      description = "Then add F. Default: the preset's, else 0.")
  Double shiftFactor;

  @Option(
      names = "--output-range",
      paramLabel = "-1,1|0,1",
      description =
          "The decoder's output range: -1,1 (Stable Diffusion VAEs) or 0,1 (TAESD family)."
              + " Default: the preset's, else -1,1.")
  OutputRange outputRange;

  @Option(
      names = "--packed-latents",
      arity = "0..1",
      fallbackValue = "square",
      paramLabel = "HxW",
      description =
          "Latents are FLUX-packed [N, h*w/4, 4*C]; HxW is the unpacked latent size"
              + " (default: square). 2-D [h*w/4, 4*C] latents are always unpacked.")
  String packedLatents;

  @Option(
      names = "--precision",
      paramLabel = "auto|fp32|fp16|bf16",
      description =
          "Precision of the decoder's forward pass. Weights run directly (folders, safetensors) are"
              + " cast on the device; a TorchScript --model needs its export NAME.fp16.ts.pt /"
              + " NAME.bf16.ts.pt next to it. Images that overflow are decoded again in fp32. auto:"
              + " fp32 on CPU; on a GPU bf16 (fp16 when the model's config says force_upcast: false;"
              + " TorchScript only if NAME.bf16.ts.pt exists). Default: auto.")
  Precision precision = Precision.DEFAULT;

  @Option(
      names = "--tile-size",
      paramLabel = "off|auto|T",
      description =
          "Decode latents larger than T x T latent pixels in tiles (auto: T from the memory"
              + " budget); --tile-mode says how. Default: off.")
  String tileSize = "off";

  @Option(
      names = "--tile-mode",
      paramLabel = "auto|shared-statistics|blend",
      description =
          "shared-statistics: the job's own decode graphs run tile by tile with every GroupNorm"
              + " normalising over the whole image, giving the whole decode's pixels (diffusers"
              + " folders, safetensors, TAESD-family weights). blend: tiles decoded on their own"
              + " and blended across their overlap (any decoder, TorchScript too; close to, not"
              + " equal to, the whole decode). auto: shared-statistics where the model allows it."
              + " Default: auto.")
  String tileMode = "auto";

  @Option(
      names = "--tile-overlap",
      paramLabel = "O",
      description =
          "Overlap of neighbouring blended tiles in latent pixels. Default: a quarter of the"
              + " tile.")
  Integer tileOverlap;

  @Option(
      names = "--image-format",
      paramLabel = "png|jpeg|webp|raw",
      description = "png, jpeg, webp, or raw HWC uint8 RGB bytes. Default: png.")
  ImageFormat imageFormat = DecodeSettings.IMAGE_FORMAT_DEFAULT;

  @Option(
      names = "--png-compression",
      paramLabel = "0-9",
      description = "PNG deflate level: 1 is fast, 9 smallest. Default: ${DEFAULT-VALUE}.")
  int pngCompression = EncodingOptions.PNG_COMPRESSION_DEFAULT;

  @Option(
      names = "--jpeg-quality",
      paramLabel = "1-100",
      description = "JPEG quality. Default: ${DEFAULT-VALUE}.")
  int jpegQuality = EncodingOptions.JPEG_QUALITY_DEFAULT;

  @Option(
      names = "--webp-quality",
      paramLabel = "0-100",
      description = "Lossy WebP quality. Default: ${DEFAULT-VALUE}.")
  int webpQuality = EncodingOptions.WEBP_QUALITY_DEFAULT;

  @Option(names = "--webp-lossless", description = "WebP without loss (--webp-quality unused).")
  boolean webpLossless;

  @Option(
      names = "--batch-size",
      paramLabel = "auto|N",
      description =
          "Latents per decoder call. auto: the smallest batch within 5%% of the best throughput,"
              + " measured on the first batches, never more than fits the memory budget (at most "
              + BatchSizes.MAX_AUTO
              + "; on a CPU at most "
              + BatchSizes.CPU_LATENTS_PER_THREAD
              + " per spark.task.cpus). Default: auto.")
  String batchSize = "auto";

  @Option(
      names = "--memory-budget-mb",
      paramLabel = "auto|MB",
      description =
          "Memory one decode may use, for --batch-size auto and --tile-size auto. auto: on CPU"
              + " half the available memory, and on YARN and Kubernetes at most 80%% of what"
              + " spark.executor.memoryOverhead leaves; on a GPU 80%% of its free memory; shared by"
              + " the device's workers. Default: auto.")
  String memoryBudgetMb = "auto";

  @Option(
      names = "--decodes-per-device",
      paramLabel = "auto|N",
      description =
          "Workers of an executor's decode service per device: the most forward passes that run"
              + " on it at once, taking batches from all the executor's tasks. auto: 1 on a GPU; on"
              + " the CPU the executor's cores divided by PyTorch's intra-op threads"
              + " (spark.task.cpus). Default: auto.")
  String decodesPerDevice = "auto";

  @Option(
      names = "--device",
      paramLabel = "auto|cpu|gpu",
      description = "auto: the GPU Spark assigned to the task, else CPU. Default: auto.")
  DeviceRequest device = DecodeSettings.DEVICE_DEFAULT;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Decode in N Spark partitions. Default: Spark's split.")
  Integer partitions;

  @Option(
      names = "--mode",
      paramLabel = "resume|overwrite|fail-if-exists",
      description =
          "resume: decode only inputs not committed yet; overwrite: replace the output;"
              + " fail-if-exists: refuse a non-empty output. Default: resume.")
  WriteMode mode = WriteMode.DEFAULT;

  @Option(
      names = "--output-format",
      paramLabel = "arrow|parquet|webdataset|files",
      description =
          "The files the images are written as: Arrow IPC or Parquet (same columns and"
              + " metadata), WebDataset tar shards, or one image file per id. Default: arrow.")
  String outputFormat = OutputFormat.DEFAULT.text();

  @Option(
      names = "--shard-mb",
      paramLabel = "MB",
      description =
          "WebDataset: a task starts a new shard past this size. Default: ${DEFAULT-VALUE}.")
  long shardMb = 1024;

  @Option(
      names = "--shard-samples",
      paramLabel = "N",
      description =
          "WebDataset: ... or once a shard holds this many samples. Default: ${DEFAULT-VALUE}.")
  long shardSamples = 10_000;

  private boolean webDataset() {
    return OutputFormat.WEBDATASET.text().equalsIgnoreCase(outputFormat);
  }

  @Option(
      names = "--max-file-mb",
      paramLabel = "MB",
      description =
          "Arrow and Parquet: a task starts a new image file past this size."
              + " Default: ${DEFAULT-VALUE}.")
  long maxFileMb = TaskPlan.MAX_FILE_BYTES_DEFAULT / (1024 * 1024);

  @Option(
      names = "--max-image-megapixels",
      paramLabel = "MP",
      description =
          "Quarantine latents whose image would be larger (8x the latent per side)."
              + " Default: 268 (16384 x 16384).")
  double maxImageMegapixels = DecodeSettings.MAX_IMAGE_PIXELS_DEFAULT / 1e6;

  @Option(
      names = "--max-error-fraction",
      paramLabel = "F",
      description =
          "Fail the run (nothing committed) when more than this share of rows is quarantined."
              + " Default: ${DEFAULT-VALUE}.")
  double maxErrorFraction = ErrorBudget.DEFAULT;

  @Option(
      names = "--progress-interval",
      paramLabel = "SECONDS",
      description =
          "When the console is not a terminal (logs, CI), log the progress this often; on a"
              + " terminal a live bar shows instead. Default: ${DEFAULT-VALUE}.")
  long progressInterval = RunOptions.PROGRESS_INTERVAL_DEFAULT.toSeconds();

  @Mixin SparkOptions spark;

  /** {@code auto} as 0, else a positive count. */
  static int autoOrCount(String flag, String value) {
    if (value.equalsIgnoreCase("auto")) {
      return 0;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "Invalid " + flag + " " + value + ": expected auto or a whole number of at least 1");
  }

  @Override
  public Integer call() {
    RunOptions options;
    try {
      options = options();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    RunResult result = DecodeJob.run(options, parent.commandStarted());
    RunSummary.print(spec.commandLine().getOut(), result);
    return Main.EXIT_OK;
  }

  /** The run the parsed flags ask for; IllegalArgumentException naming a flag's bad value. */
  RunOptions options() {
    return new RunOptions(
        input,
        output,
        model,
        Optional.ofNullable(modelVariant),
        new ConventionFlags(Optional.ofNullable(preset), scalingFactor, shiftFactor, outputRange),
        Optional.ofNullable(inputFormat),
        new DecodeSettings(
            LatentConventions.resolve(
                Optional.ofNullable(preset), scalingFactor, shiftFactor, outputRange),
            packedLatents == null ? LatentPacking.DETECT : LatentPacking.parse(packedLatents),
            imageFormat,
            autoOrCount("--batch-size", batchSize),
            device,
            precision,
            Tiling.parse(tileSize, tileOverlap, Tiling.Method.parse(tileMode)),
            Math.round(maxImageMegapixels * 1_000_000),
            new EncodingOptions(pngCompression, jpegQuality, webpQuality, webpLossless)),
        new DeviceLimits(
            autoOrCount("--decodes-per-device", decodesPerDevice),
            autoOrCount("--memory-budget-mb", memoryBudgetMb) * 1024L * 1024L),
        partitions == null ? OptionalInt.empty() : OptionalInt.of(partitions),
        mode,
        (webDataset() ? shardMb : maxFileMb) * 1024 * 1024,
        webDataset() ? shardSamples : Long.MAX_VALUE,
        OutputFormat.parse(outputFormat),
        maxErrorFraction,
        spark.master(),
        spark.conf,
        java.time.Duration.ofSeconds(progressInterval));
  }
}
