package io.latentdecode.udf.task;

import ai.djl.Device;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceLimits;
import io.latentdecode.udf.contract.Precision;
import io.latentdecode.udf.contract.RunMetrics;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.decode.BatchDecoder;
import io.latentdecode.udf.decode.BatchSizes;
import io.latentdecode.udf.latent.LatentRows;
import io.latentdecode.udf.model.DecodeService;
import io.latentdecode.udf.model.DecoderCache;
import io.latentdecode.udf.model.DeviceSelector;
import io.latentdecode.udf.model.DeviceShare;
import io.latentdecode.udf.model.EngineSetup;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.output.ErrorSink;
import io.latentdecode.udf.output.ImageSink;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;

/**
 * What one task decodes with, whatever its rows become (files of a run, or a DataFrame's rows): the
 * device Spark gave it, the precision there, the executor's shared decoder and decode service, and
 * the task's predictors. Closing it closes the predictors; the decoder and service stay for the
 * executor's next tasks.
 */
final class TaskDecoding implements AutoCloseable {
  private final TaskPlan plan;
  private final Device device;
  private final Precision precision;
  private final DecodeSettings settings;
  private final LoadedDecoder decoder;
  private final DeviceShare share;
  private final long busyAtStart;
  private final BatchDecoderPool decoders;

  TaskDecoding(TaskPlan plan, TaskContext task, Configuration conf) {
    this.plan = plan;
    this.device = DeviceSelector.choose(plan.settings().device(), task.resourcesJMap());
    this.precision = plan.settings().precision().resolve(device.isGpu(), plan.halfPrecision());
    this.settings = plan.settings().withPrecision(precision);
    this.decoder =
        DecoderCache.get(
            precision.isHalf() ? plan.precisionModel() : plan.model(), device, conf, task.cpus());
    this.share = deviceShare(device, plan.deviceLimits());
    this.busyAtStart = share.service().busyNanos();
    this.decoders =
        new BatchDecoderPool(
            decoder::newPredictor,
            predictor ->
                new BatchDecoder(
                    decoder,
                    predictor,
                    () -> DecoderCache.get(plan.model(), device, conf, task.cpus()).newPredictor(),
                    settings,
                    share));
  }

  /**
   * This task's share of the device: the JVM's decode service for it (started by the first task
   * with the run's {@code --decodes-per-device} workers, or the default for the executor's cores
   * and PyTorch's intra-op threads) and the run's memory budget.
   */
  private static DeviceShare deviceShare(Device device, DeviceLimits limits) {
    int workers = limits.decodesPerDevice();
    if (workers == 0) {
      workers =
          DecodeService.defaultWorkers(
              device.isGpu(), EncodePool.threads(), EngineSetup.intraOpThreads());
    }
    return new DeviceShare(device, DecodeService.of(device, workers), limits.memoryBudgetBytes());
  }

  /**
   * What tasks whose batches may share a forward have in common: the executor's decoder (one per
   * model, precision and device), the settings, and the memory budget that sizes tiles.
   */
  private record MergeScope(LoadedDecoder decoder, DecodeSettings settings, long budgetBytes) {}

  /**
   * The decode loop of the task's rows, handing images and quarantined rows to the sinks, and
   * making thumbnails of its first {@code thumbnails} images.
   */
  PartitionDecoder loop(
      String taskName,
      BufferAllocator allocator,
      ImageSink images,
      ErrorSink errors,
      StageClock clock,
      RunMetrics metrics,
      int thumbnails) {
    return new PartitionDecoder(
        taskName,
        LatentRows.of(
            plan.inputKind(),
            plan.inputUri(),
            plan.carriedColumns(),
            plan.settings().packing(),
            allocator),
        plan.settings().convention(),
        plan.settings().maxImagePixels(),
        new BatchSizes(decoder, settings, share, plan.runId(), plan.latentsPerExecutor()),
        share.service(),
        new MergeScope(decoder, settings, share.configuredBudgetBytes()),
        decoders,
        plan.settings().imageFormat(),
        plan.settings().encoding(),
        images,
        errors,
        clock,
        metrics,
        thumbnails);
  }

  Device device() {
    return device;
  }

  Precision precision() {
    return precision;
  }

  DecodeService service() {
    return share.service();
  }

  /** The service's busy time when this task started. */
  long busyAtStart() {
    return busyAtStart;
  }

  @Override
  public void close() {
    decoders.close();
  }
}
