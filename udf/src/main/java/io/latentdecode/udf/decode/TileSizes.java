package io.latentdecode.udf.decode;

import ai.djl.ndarray.NDArray;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.Tiling;
import io.latentdecode.udf.model.DeviceShare;
import io.latentdecode.udf.model.LoadedDecoder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tile side for a batch, in latent pixels, or 0 when it is decoded whole. For {@code
 * --tile-size auto} the side is the largest whose forward, for the whole batch, fits the task's
 * memory budget ({@link DeviceShare#budgetBytes()}) at the decoder's measured peak memory per
 * output pixel ({@link ForwardMemoryProbe}), between {@value #MIN_AUTO} and {@value #MAX_AUTO}.
 */
final class TileSizes {
  private static final Logger LOG = LoggerFactory.getLogger(TileSizes.class);
  private static final Map<String, Integer> AUTO = new ConcurrentHashMap<>();
  private static final int MIN_AUTO = 32;
  private static final int MAX_AUTO = 512;

  private final LoadedDecoder decoder;
  private final DecodeSettings settings;
  private final DeviceShare share;

  TileSizes(LoadedDecoder decoder, DecodeSettings settings, DeviceShare share) {
    this.decoder = decoder;
    this.settings = settings;
    this.share = share;
  }

  int tileFor(NDArray z) {
    Tiling tiling = settings.tiling();
    int batch = (int) z.getShape().get(0);
    int channels = (int) z.getShape().get(1);
    int h = (int) z.getShape().get(2);
    int w = (int) z.getShape().get(3);
    int tile =
        switch (tiling.mode()) {
          case OFF -> 0;
          case FIXED -> tiling.tileSize();
          case AUTO -> autoTileCached(channels, batch);
        };
    return tile > 0 && TiledForward.needed(h, w, tile) ? tile : 0;
  }

  /**
   * The auto tile for this shape, computed outside the cache's lock: computing it may wait for the
   * device (the memory probe), which a worker must not do while holding a lock another worker
   * needs.
   */
  private int autoTileCached(int channels, int batch) {
    String key = decoder.cacheKey() + "/" + decoder.device() + "/" + channels + "/" + batch;
    Integer tile = AUTO.get(key);
    if (tile == null) {
      tile = autoTile(channels, batch);
      AUTO.putIfAbsent(key, tile);
    }
    return tile;
  }

  private int autoTile(int channels, int batch) {
    long perPixel = ForwardMemoryProbe.bytesPerOutputPixel(decoder, channels, share.service());
    long budget = share.budgetBytes();
    int scale = DecodeSettings.VAE_SCALE;
    // what a batch of tiles of one latent pixel each needs, with the margin of batches
    long latentPixels = budget / BatchSizes.bytesForBatch(perPixel * scale * scale, batch);
    int side = (int) Math.sqrt((double) latentPixels) / 8 * 8;
    int tile = Math.max(MIN_AUTO, Math.min(MAX_AUTO, side));
    LOG.info(
        "--tile-size auto: {} latent pixels ({} MB budget per decode, {} B per output pixel,"
            + " batch {})",
        tile,
        budget >> 20,
        perPixel,
        batch);
    return tile;
  }
}
