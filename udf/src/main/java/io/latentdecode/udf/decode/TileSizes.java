package io.latentdecode.udf.decode;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import ai.djl.util.cuda.CudaUtils;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.Tiling;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.model.ProcessMemory;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tile side for a batch, in latent pixels, or 0 when it is decoded whole. For {@code
 * --tile-size auto} the side comes from the memory budget: on the CPU a probe decode measures the
 * decoder's peak resident memory per output pixel once per JVM, and the budget is a quarter of the
 * memory the machine has available; on a GPU the budget is half the free device memory at an
 * assumed 10 KB per output pixel (the class of the Stable Diffusion VAEs in float32).
 */
final class TileSizes {
  private static final Logger LOG = LoggerFactory.getLogger(TileSizes.class);
  private static final Map<String, Integer> AUTO = new ConcurrentHashMap<>();
  private static final int PROBE = 32;
  private static final int MIN_AUTO = 32;
  private static final int MAX_AUTO = 512;
  private static final long GPU_BYTES_PER_PIXEL = 10 * 1024;

  private final LoadedDecoder decoder;
  private final DecodeSettings settings;

  TileSizes(LoadedDecoder decoder, DecodeSettings settings) {
    this.decoder = decoder;
    this.settings = settings;
  }

  int tileFor(NDManager scope, NDArray z, TiledForward.Forward forward) {
    Tiling tiling = settings.tiling();
    int h = (int) z.getShape().get(2);
    int w = (int) z.getShape().get(3);
    int tile =
        switch (tiling.mode()) {
          case OFF -> 0;
          case FIXED -> tiling.tileSize();
          case AUTO ->
              AUTO.computeIfAbsent(
                  decoder.sha256() + "/" + decoder.device() + "/" + z.getShape().get(1),
                  key -> autoTile(scope, (int) z.getShape().get(1), forward));
        };
    return tile > 0 && TiledForward.needed(h, w, tile) ? tile : 0;
  }

  private int autoTile(NDManager scope, int channels, TiledForward.Forward forward) {
    int batch = settings.batchSize();
    try {
      long budget;
      long bytesPerPixel;
      int scale;
      Device device = decoder.device();
      if (device.isGpu()) {
        MemoryUsage gpu = CudaUtils.getGpuMemory(device);
        budget = (gpu.getMax() - gpu.getUsed()) / 2;
        bytesPerPixel = GPU_BYTES_PER_PIXEL;
        scale = 8;
      } else {
        budget = availableMemory() / 4;
        long before = ProcessMemory.residentBytes();
        ProcessMemory.resetPeak();
        NDArray out = forward.apply(scope.zeros(new Shape(1, channels, PROBE, PROBE)));
        long peak = Math.max(1, ProcessMemory.peakResidentBytes() - before);
        long outPixels = out.getShape().get(2) * out.getShape().get(3);
        bytesPerPixel = Math.max(1, peak / outPixels);
        scale = (int) Math.max(1, out.getShape().get(2) / PROBE);
      }
      long latentPixels = budget / bytesPerPixel / ((long) scale * scale) / batch;
      int side = (int) Math.sqrt((double) latentPixels) / 8 * 8;
      int tile = Math.max(MIN_AUTO, Math.min(MAX_AUTO, side));
      LOG.info(
          "--tile-size auto: {} latent pixels ({} MB budget, {} B per output pixel, batch {})",
          tile,
          budget >> 20,
          bytesPerPixel,
          batch);
      return tile;
    } catch (IOException | TranslateException | RuntimeException e) {
      LOG.warn("--tile-size auto: cannot measure the memory budget ({}); using 64", e.toString());
      return 64;
    }
  }

  /** MemAvailable from /proc/meminfo, or the JVM's view of physical memory elsewhere. */
  private static long availableMemory() throws IOException {
    Path meminfo = Path.of("/proc/meminfo");
    if (Files.isReadable(meminfo)) {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    }
    return Runtime.getRuntime().maxMemory();
  }
}
