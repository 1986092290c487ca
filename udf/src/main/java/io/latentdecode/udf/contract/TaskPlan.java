package io.latentdecode.udf.contract;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import org.apache.spark.sql.types.StructType;

/**
 * Everything a task needs to decode its partition and publish its files: the driver builds it once
 * per run; it is small and travels to every task.
 *
 * @param runId unique id of this run; part of every file name the run writes
 * @param outputUri the qualified {@code --output} URI
 * @param inputUri the qualified {@code --input} URI (npy ids are paths relative to it)
 * @param inputKind which row layout the task receives
 * @param model where the float32 decoder comes from and its digest
 * @param precisionModel the decoder in the run's half precision (a TorchScript export, or the same
 *     weights cast on the device; for {@code auto} what tasks on a GPU use), or null
 * @param settings the decode settings
 * @param carriedColumns input columns carried through unchanged into the image files
 * @param sessionTimeZone Spark's session time zone (Arrow timestamps of carried columns)
 * @param maxFileBytes a task starts a new image file once its current one passes this size
 * @param maxFileRows ... or holds this many images (a WebDataset shard's samples)
 * @param outputFormat the files the images are written as
 * @param hadoopConf the driver's Hadoop configuration, for the tasks' file systems
 * @param deviceLimits how much of its executor's device a task may take
 * @param latentsPerExecutor about how many latents each executor decodes in this run, or 0 when
 *     unknown: {@code --batch-size auto} tries a larger batch only when it can pay for itself
 */
public record TaskPlan(
    String runId,
    String outputUri,
    String inputUri,
    InputKind inputKind,
    ModelRef model,
    ModelRef precisionModel,
    DecodeSettings settings,
    StructType carriedColumns,
    String sessionTimeZone,
    long maxFileBytes,
    long maxFileRows,
    OutputFormat outputFormat,
    HadoopConf hadoopConf,
    DeviceLimits deviceLimits,
    long latentsPerExecutor)
    implements Serializable {

  public static final long MAX_FILE_BYTES_DEFAULT = 256L * 1024 * 1024;

  /** The precision {@link #precisionModel} runs in, or null when there is none. */
  public Precision halfPrecision() {
    if (precisionModel == null) {
      return null;
    }
    if (precisionModel.isDirect()) {
      return precisionModel.direct().precision();
    }
    return settings.precision().isHalf() ? settings.precision() : Precision.BF16;
  }

  public TaskPlan {
    requireNonNull(runId, "runId is null");
    requireNonNull(outputUri, "outputUri is null");
    requireNonNull(inputUri, "inputUri is null");
    requireNonNull(inputKind, "inputKind is null");
    requireNonNull(model, "model is null");
    requireNonNull(settings, "settings is null");
    if (settings.precision().isHalf() && precisionModel == null
        || settings.precision() == Precision.FP32 && precisionModel != null) {
      throw new IllegalArgumentException(
          "a " + settings.precision().text() + " run needs exactly the decoders it runs");
    }
    requireNonNull(carriedColumns, "carriedColumns is null");
    requireNonNull(sessionTimeZone, "sessionTimeZone is null");
    requireNonNull(outputFormat, "outputFormat is null");
    requireNonNull(hadoopConf, "hadoopConf is null");
    requireNonNull(deviceLimits, "deviceLimits is null");
    if (maxFileRows < 1) {
      throw new IllegalArgumentException(
          "Invalid max rows per file " + maxFileRows + ": must be positive");
    }
    if (latentsPerExecutor < 0) {
      throw new IllegalArgumentException("latentsPerExecutor is negative");
    }
    if (maxFileBytes < 1) {
      throw new IllegalArgumentException(
          "Invalid max file size " + maxFileBytes + ": must be positive");
    }
  }
}
