package io.latentdecode.udf.contract;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What one successful task attempt tells the driver: which files it published and small counts.
 * Never per-image data, so that the driver's memory does not grow with the number of images: the
 * only images it carries are the few thumbnails its {@link ContactSheet} asks of it.
 *
 * @param partition the partition this task decoded
 * @param attempt the attempt number that published
 * @param executorId Spark's executor id ("driver" in local mode)
 * @param jvmName the executor JVM's {@code pid@host}
 * @param device where the decoder ran (e.g. {@code cpu()}, {@code gpu(0)})
 * @param precision the precision the decoder ran in ({@code auto} resolved)
 * @param modelLoadsInJvm how many times this JVM has loaded a decoder so far
 * @param imageFiles published image files, relative to the output
 * @param errorFiles published error files, relative to the output
 * @param images rows decoded into images
 * @param errorsByKind quarantined rows, by {@link ErrorKind#text()}
 * @param batches decoder forward calls
 * @param mergedBatches its batches that shared a forward with other tasks' batches
 * @param batchSizes the micro-batch size used per latent shape ({@code CxHxW})
 * @param batchSizeSearch what {@code --batch-size auto} measured per latent shape in the task's JVM
 * @param decodesPerDevice the workers of its device's decode service in the task's JVM: the most
 *     forward passes that run on it at once
 * @param fp32Redecoded images decoded again in float32 after their half-precision decode overflowed
 * @param tiledImages images decoded in tiles
 * @param oomSplits times a forward ran out of memory and its work was split
 * @param bytesWritten bytes of Arrow files published
 * @param nanosByStage time each stage was busy (read, preprocess, wait_for_device, forward,
 *     postprocess, encode, write, publish)
 * @param taskNanos the task's wall time
 * @param peakRssBytes the executor JVM's peak resident memory when the task ended (0 if unknown)
 * @param timeline when the task ran, its first forward, and its device's busy time meanwhile
 * @param thumbnails thumbnails of its first images for the run page (few tasks make any)
 */
public record TaskReport(
    int partition,
    int attempt,
    String executorId,
    String jvmName,
    String device,
    String precision,
    int modelLoadsInJvm,
    List<String> imageFiles,
    List<String> errorFiles,
    long images,
    Map<String, Long> errorsByKind,
    long batches,
    long mergedBatches,
    Map<String, Integer> batchSizes,
    Map<String, BatchSizeChoice> batchSizeSearch,
    int decodesPerDevice,
    long fp32Redecoded,
    long tiledImages,
    long oomSplits,
    long bytesWritten,
    Map<String, Long> nanosByStage,
    long taskNanos,
    long peakRssBytes,
    DeviceTimeline timeline,
    List<Thumbnail> thumbnails)
    implements Serializable {

  public TaskReport {
    imageFiles = List.copyOf(imageFiles);
    errorFiles = List.copyOf(errorFiles);
    errorsByKind = Map.copyOf(errorsByKind);
    batchSizes = Map.copyOf(batchSizes);
    batchSizeSearch = Map.copyOf(batchSizeSearch);
    nanosByStage = Map.copyOf(nanosByStage);
    thumbnails = List.copyOf(thumbnails);
  }
}
