package io.latentdecode.udf.decode;

import io.latentdecode.udf.contract.BatchSizeChoice;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.model.DecodeService;
import io.latentdecode.udf.model.DeviceShare;
import io.latentdecode.udf.model.EngineSetup;
import io.latentdecode.udf.model.LoadedDecoder;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The micro-batch size for each latent shape: the run's fixed {@code --batch-size}, or for {@code
 * auto} the smallest batch within a few percent of the best throughput ({@link BatchSizeSearch},
 * once per JVM, model, device and shape), never larger than what fits the task's memory budget at
 * the decoder's measured peak memory per output pixel (measured at the latent's own size when it is
 * larger than the probe's), and at most {@value #MAX_AUTO} ({@value #CPU_LATENTS_PER_THREAD} per
 * intra-op thread on a CPU). A batch that still runs out of memory is split by {@link
 * BatchDecoder}.
 */
public final class BatchSizes {
  private static final Logger LOG = LoggerFactory.getLogger(BatchSizes.class);

  /** Past this, larger batches no longer make a decoder faster, only its queues longer. */
  public static final int MAX_AUTO = 32;

  /**
   * On a CPU, the most latents per PyTorch intra-op thread of a worker that {@code auto} tries. A
   * CPU's forward gains little from a batch once each thread has a couple of images: in 15 benches
   * of TAEF2's 512x256 decodes on two one-thread loops (BENCHMARKS.md), batches of 4 decoded 15%
   * faster than batches of 2 once and 0-41% slower (median 6%) the other 14 times, at 1.2-1.4 GB
   * peak against 1.0-1.2 GB; one loop of two threads ran batches of 4 and 2 at the same median
   * speed. Every worker runs the size a trial tries at once, so trying 4 on two workers held two
   * batches of 4 (a run's peak went from 1.1-1.2 to 1.55 GB for no gain). A GPU is bounded by
   * {@link #MAX_AUTO} and its memory.
   */
  public static final int CPU_LATENTS_PER_THREAD = 2;

  /**
   * What a batch of more than one latent is taken to need over the measured figure times its
   * images. The figure comes from one forward of one latent; a later batch of 2 of TAEF2's 48x40
   * latents peaked at 255-341 MB against 271-292 MB for twice the figure (up to 1.26 times, in CI,
   * where the probe read 6% low and the batch 10% high): glibc's arenas hold and fragment memory
   * differently from one forward to the next. The budget's own headroom is not meant for that.
   */
  static final double BATCH_MARGIN = 1.3;

  private static final Map<String, BatchSizeSearch> SEARCHES = new ConcurrentHashMap<>();

  private final LoadedDecoder decoder;
  private final DecodeSettings settings;
  private final DeviceShare share;
  private final String runId;
  private final long latentsPerExecutor;
  private final Map<String, Integer> fixed = new TreeMap<>();
  private final Map<String, BatchSizeSearch> searches = new ConcurrentHashMap<>();

  /**
   * @param runId the run the task belongs to
   * @param latentsPerExecutor about how many latents this executor decodes in the run (0: unknown),
   *     which bounds what trying a larger batch can win back
   */
  public BatchSizes(
      LoadedDecoder decoder,
      DecodeSettings settings,
      DeviceShare share,
      String runId,
      long latentsPerExecutor) {
    this.decoder = decoder;
    this.settings = settings;
    this.share = share;
    this.runId = runId;
    this.latentsPerExecutor = latentsPerExecutor;
  }

  private static String shapeOf(Latent latent) {
    return latent.channels() + "x" + latent.height() + "x" + latent.width();
  }

  /** The batch size for a batch of latents shaped like this one that starts now. */
  public int forLatent(Latent latent) {
    String shape = shapeOf(latent);
    if (settings.batchSize() > 0) {
      synchronized (fixed) {
        fixed.put(shape, settings.batchSize());
      }
      return settings.batchSize();
    }
    return searches.computeIfAbsent(shape, s -> search(latent, s)).next();
  }

  /**
   * Tells the search how long a batch took: {@code result} decoded from a batch of {@code
   * requested} latents started with {@link #forLatent}.
   */
  public void record(int requested, DecodedBatch result, long forwardNanos) {
    if (result.decoded().isEmpty()
        || result.tiled() > 0
        || result.oomSplits() > 0
        || result.fp32Redecoded() > 0) {
      return;
    }
    BatchSizeSearch search = searches.get(shapeOf(result.decoded().get(0)));
    if (search != null && search.record(requested, result.decoded().size(), forwardNanos)) {
      BatchSizeChoice found = search.summary();
      LOG.info(
          "--batch-size auto: {} for latents {} (images/s by batch size: {}; search cost {} s)",
          found.chosen(),
          shapeOf(result.decoded().get(0)),
          found.imagesPerSecond(),
          String.format(java.util.Locale.ROOT, "%.2f", found.costSeconds()));
    }
  }

  /** The batch size used per latent shape ({@code CxHxW}), for the run report. */
  public Map<String, Integer> chosen() {
    Map<String, Integer> sizes = new TreeMap<>();
    synchronized (fixed) {
      sizes.putAll(fixed);
    }
    searches.forEach((shape, search) -> sizes.put(shape, search.chosen()));
    return sizes;
  }

  /** What {@code --batch-size auto} measured per latent shape, for the run report. */
  public Map<String, BatchSizeChoice> searched() {
    Map<String, BatchSizeChoice> found = new TreeMap<>();
    searches.forEach((shape, search) -> found.put(shape, search.summary()));
    return found;
  }

  /**
   * Bytes one latent {@code [channels, h, w]} needs to decode on the decoder's device, measured
   * (the memory probe, with the device to itself): what a run's settings must leave room for.
   */
  public static long bytesForOneLatent(LoadedDecoder decoder, int channels, int h, int w) {
    long perPixel =
        ForwardMemoryProbe.bytesPerOutputPixel(
            decoder, channels, h, w, DecodeService.unshared(decoder.device()));
    return perPixel * h * DecodeSettings.VAE_SCALE * w * DecodeSettings.VAE_SCALE;
  }

  private BatchSizeSearch search(Latent latent, String shape) {
    BatchSizeSearch search =
        SEARCHES.computeIfAbsent(
            decoder.cacheKey()
                + "/"
                + decoder.device()
                + "/"
                + shape
                + "/"
                + share.configuredBudgetBytes()
                + "/"
                + share.service().workers(),
            key ->
                new BatchSizeSearch(
                    () -> largestFitting(latent, shape), 0, share.service().workers()));
    search.expect(runId, latentsPerExecutor);
    return search;
  }

  /**
   * Bytes a batch of {@code batch} latents is taken to need, each {@code bytesPerImage} by the
   * measured figure: as measured for one, with {@link #BATCH_MARGIN} for more.
   */
  static long bytesForBatch(long bytesPerImage, int batch) {
    return batch <= 1 ? bytesPerImage : (long) (bytesPerImage * batch * BATCH_MARGIN);
  }

  /** The largest batch whose {@link #bytesForBatch} fits the budget; at least 1. */
  static long largestBatch(long budgetBytes, long bytesPerImage) {
    long fits = (long) (budgetBytes / (Math.max(1, bytesPerImage) * BATCH_MARGIN));
    return Math.max(1, fits);
  }

  private int largestFitting(Latent latent, String shape) {
    long perPixel =
        ForwardMemoryProbe.bytesPerOutputPixel(
            decoder, latent.channels(), latent.height(), latent.width(), share.service());
    int side = DecodeSettings.VAE_SCALE;
    long imagePixels = (long) latent.height() * side * latent.width() * side;
    long budget = share.budgetBytes();
    int ceiling = ceiling(decoder.device().isGpu(), EngineSetup.intraOpThreads());
    int size = (int) Math.min(ceiling, largestBatch(budget, perPixel * imagePixels));
    LOG.info(
        "--batch-size auto: at most {} for latents {} ({} MB budget per decode, {} B per output"
            + " pixel, x{} for batches of more than one; at most {} on this device); the smallest"
            + " batch within {}% of the best throughput is chosen from the first batches",
        size,
        shape,
        budget >> 20,
        perPixel,
        BATCH_MARGIN,
        ceiling,
        Math.round(BatchSizeSearch.TOLERANCE * 100));
    return size;
  }

  /**
   * The largest batch {@code auto} tries on a device whatever its memory allows: {@link
   * #CPU_LATENTS_PER_THREAD} per intra-op thread of a worker on a CPU, {@link #MAX_AUTO} on a GPU.
   */
  static int ceiling(boolean gpu, int intraOpThreads) {
    return gpu
        ? MAX_AUTO
        : Math.min(MAX_AUTO, CPU_LATENTS_PER_THREAD * Math.max(1, intraOpThreads));
  }
}
