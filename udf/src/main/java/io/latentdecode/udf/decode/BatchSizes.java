package io.latentdecode.udf.decode;

import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.model.DeviceShare;
import io.latentdecode.udf.model.LoadedDecoder;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The micro-batch size for each latent shape: the run's fixed {@code --batch-size}, or for {@code
 * auto} the largest batch whose forward fits the task's memory budget, from the decoder's measured
 * peak memory per output pixel, between 1 and {@value #MAX_AUTO}. A batch that still runs out of
 * memory is split by {@link BatchDecoder}.
 */
public final class BatchSizes {
  private static final Logger LOG = LoggerFactory.getLogger(BatchSizes.class);

  /** Past this, larger batches no longer make a decoder faster, only its queues longer. */
  public static final int MAX_AUTO = 32;

  private final LoadedDecoder decoder;
  private final DecodeSettings settings;
  private final DeviceShare share;
  private final Map<String, Integer> chosen = new TreeMap<>();

  public BatchSizes(LoadedDecoder decoder, DecodeSettings settings, DeviceShare share) {
    this.decoder = decoder;
    this.settings = settings;
    this.share = share;
  }

  /** The batch size for latents shaped like this one (asked once per batch, not per latent). */
  public int forLatent(Latent latent) {
    String shape = latent.channels() + "x" + latent.height() + "x" + latent.width();
    Integer size = chosen.get(shape);
    if (size == null) {
      size = settings.batchSize() > 0 ? settings.batchSize() : fitting(latent, shape);
      chosen.put(shape, size);
    }
    return size;
  }

  /** The batch size used per latent shape ({@code CxHxW}), for the run report. */
  public Map<String, Integer> chosen() {
    return Map.copyOf(chosen);
  }

  private int fitting(Latent latent, String shape) {
    long perPixel =
        ForwardMemoryProbe.bytesPerOutputPixel(decoder, latent.channels(), share.admission());
    int side = DecodeSettings.VAE_SCALE;
    long imagePixels = (long) latent.height() * side * latent.width() * side;
    long budget = share.budgetBytes();
    long fits = budget / Math.max(1, perPixel * imagePixels);
    int size = (int) Math.max(1, Math.min(MAX_AUTO, fits));
    LOG.info(
        "--batch-size auto: {} for latents {} ({} MB budget per decode, {} B per output pixel)",
        size,
        shape,
        budget >> 20,
        perPixel);
    return size;
  }
}
