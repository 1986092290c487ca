package io.latentdecode.udf.decode;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentdecode.udf.model.DecodeService;
import io.latentdecode.udf.model.DeviceMemory;
import io.latentdecode.udf.model.EngineSetup;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.model.ProcessMemory;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a decoder's forward pass needs per output pixel, measured once per JVM, model, device,
 * channel count and latent size with a probe decode alone on the device. On the CPU: the peak of
 * resident memory over its start in one forward of a latent of that very size, right after glibc's
 * allocator handed its free memory back to the kernel ({@code malloc_trim}), so that every block
 * the forward needs is fresh memory and shows in resident memory, however small the decode. Where
 * the allocator cannot be asked (not glibc), the probe decodes a {@value #PROBE}x{@value #PROBE}
 * latent for smaller latents, twice, and keeps the larger peak: a decode that large has its big
 * activations mapped and unmapped by malloc (the second forward shows what malloc kept from an
 * earlier one and gave back). Measuring at the latent's own size matters for larger latents: a
 * decoder with classic self-attention (a TorchScript trace of diffusers' AutoencoderKL) needs
 * memory that grows with the square of the pixels, which no figure per pixel measured at a smaller
 * size predicts. On a GPU: the device memory the first probe forward adds (the caching allocator
 * keeps what a forward needed at its peak). Where no measurement is possible, {@value
 * #FALLBACK_BYTES_PER_PIXEL} bytes, the class of the Stable Diffusion VAEs in float32.
 */
final class ForwardMemoryProbe {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardMemoryProbe.class);
  static final int PROBE = 64;
  static final long FALLBACK_BYTES_PER_PIXEL = 10 * 1024;
  private static final Map<String, Long> MEASURED = new ConcurrentHashMap<>();

  private ForwardMemoryProbe() {}

  /**
   * The measured bytes per output pixel. The first caller for a key measures with the device to
   * itself; callers that come meanwhile (a worker's tile sizing, another task's batch sizing) wait
   * for the device in the same way, so nobody holds a turn on the device while waiting for the
   * measurement, and find the figure when their turn comes.
   */
  static long bytesPerOutputPixel(LoadedDecoder decoder, int channels, DecodeService service) {
    return bytesPerOutputPixel(decoder, channels, PROBE, PROBE, service);
  }

  /**
   * The measured bytes per output pixel of latents {@code h x w}: measured at that size, or for a
   * latent no larger than the probe on a GPU or where the CPU's allocator cannot hand back its free
   * memory, the probe's figure (an overestimate for smaller latents, whose attention is cheaper).
   */
  static long bytesPerOutputPixel(
      LoadedDecoder decoder, int channels, int latentH, int latentW, DecodeService service) {
    boolean atProbeSize =
        (long) latentH * latentW <= (long) PROBE * PROBE
            && (decoder.device().isGpu() || !ProcessMemory.canReleaseFreeMemory());
    int h = atProbeSize ? PROBE : latentH;
    int w = atProbeSize ? PROBE : latentW;
    String key = key(decoder, channels, h, w);
    Long known = MEASURED.get(key);
    if (known != null) {
      return known;
    }
    if (!decoder.device().isGpu() && !ProcessMemory.supported()) {
      return FALLBACK_BYTES_PER_PIXEL;
    }
    try {
      return service.alone(
          () -> {
            Long measured = MEASURED.get(key);
            if (measured == null) {
              // the probe has the device to itself: it may use every worker's cores
              measured =
                  EngineSetup.withIntraOpThreads(
                      decoder.device().isGpu()
                          ? 1
                          : service.workers() * EngineSetup.intraOpThreads(),
                      () -> measure(decoder, channels, h, w));
              MEASURED.put(key, measured);
            }
            return measured;
          });
    } catch (Exception e) {
      LOG.warn(
          "Cannot measure the decoder's memory on {} ({}); assuming {} B per output pixel",
          decoder.device(),
          e.toString(),
          FALLBACK_BYTES_PER_PIXEL);
      MEASURED.putIfAbsent(key, FALLBACK_BYTES_PER_PIXEL);
      return FALLBACK_BYTES_PER_PIXEL;
    }
  }

  /** The figure measured for latents {@code h x w} in this JVM, if any: for tests. */
  static Optional<Long> measuredFigure(LoadedDecoder decoder, int channels, int h, int w) {
    return Optional.ofNullable(MEASURED.get(key(decoder, channels, h, w)));
  }

  private static String key(LoadedDecoder decoder, int channels, int h, int w) {
    return decoder.cacheKey() + "/" + decoder.device() + "/" + channels + "/" + h + "x" + w;
  }

  /**
   * Runs a task's forward of one latent {@code [channels, h, w]}; where the probe has not measured
   * that size in this JVM yet, the forward is the probe's measurement, so that no forward is run
   * for the probe alone: on the CPU, with glibc's allocator (where the probe measures at the
   * latent's own size), the forward runs with the device to itself, after the allocator handed its
   * free memory back. It keeps its worker's thread count: more threads would sum in another order
   * and give this image other pixels (by a unit here and there) than the same latent decoded later.
   * Its result goes back to the task as any other forward's; a later {@link #bytesPerOutputPixel}
   * for the size finds the figure.
   *
   * @param outputPixels the output pixels of a result that decoded the latent whole in one forward,
   *     or 0 for one that was split or failed (not a measurement)
   */
  static <T> T firstForward(
      LoadedDecoder decoder,
      int channels,
      int h,
      int w,
      DecodeService service,
      Callable<T> forward,
      ToLongFunction<T> outputPixels)
      throws Exception {
    String key = key(decoder, channels, h, w);
    if (MEASURED.containsKey(key) // every batch of 1 after the first of its size: a map lookup
        || decoder.device().isGpu()
        || !ProcessMemory.supported()
        || !ProcessMemory.canReleaseFreeMemory()) {
      return forward.call();
    }
    Optional<T> measured =
        service.alone(
            () ->
                MEASURED.containsKey(key) // another task's first forward measured it meanwhile
                    ? Optional.empty()
                    : Optional.of(measureDuring(key, channels, h, w, forward, outputPixels)));
    return measured.isPresent() ? measured.get() : forward.call();
  }

  private static <T> T measureDuring(
      String key, int channels, int h, int w, Callable<T> forward, ToLongFunction<T> outputPixels)
      throws Exception {
    long start = System.nanoTime();
    long before;
    try {
      ProcessMemory.releaseFreeMemory();
      before = ProcessMemory.residentBytes();
      ProcessMemory.resetPeak();
    } catch (IOException e) {
      return forward.call(); // unmeasured: a later probe of its own measures the size
    }
    T result = forward.call();
    long peak;
    try {
      peak = ProcessMemory.peakResidentBytes() - before;
    } catch (IOException e) {
      return result;
    }
    long pixels = outputPixels.applyAsLong(result);
    if (pixels > 0 && peak > 0) {
      long perPixel = Math.max(1, peak / pixels);
      MEASURED.putIfAbsent(key, perPixel);
      LOG.info(
          "Memory of a task's first forward of a {} latent, measured as the probe: {} MB at"
              + " peak, {} B per output pixel (in {} s)",
          new Shape(1, channels, h, w),
          peak >> 20,
          perPixel,
          String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
    }
    return result;
  }

  private static long measure(LoadedDecoder decoder, int channels, int h, int w) throws Exception {
    Device device = decoder.device();
    long start = System.nanoTime();
    int forwards = 1;
    try (NDManager scope = decoder.newBatchManager();
        Predictor<NDList, NDList> predictor = decoder.newPredictor()) {
      NDList probe = new NDList(scope.zeros(new Shape(1, channels, h, w)));
      long peak;
      NDArray out;
      if (device.isGpu()) {
        long before = DeviceMemory.gpuUsedBytes(device);
        out = predictor.predict(probe).get(0);
        peak = DeviceMemory.gpuUsedBytes(device) - before;
      } else {
        // with the allocator's free memory handed back, one forward shows all it needs; without,
        // a latent above the probe's size is mapped afresh and one forward shows its peak too, and
        // at the probe's size the second of two forwards shows what malloc kept from the first
        boolean released = ProcessMemory.releaseFreeMemory();
        forwards = released || (long) h * w > (long) PROBE * PROBE ? 1 : 2;
        peak = 0;
        out = null;
        for (int i = 0; i < forwards; i++) {
          long before = ProcessMemory.residentBytes();
          ProcessMemory.resetPeak();
          out = predictor.predict(probe).get(0);
          peak = Math.max(peak, ProcessMemory.peakResidentBytes() - before);
        }
      }
      long pixels = out.getShape().get(2) * out.getShape().get(3);
      long perPixel = peak > 0 ? Math.max(1, peak / pixels) : FALLBACK_BYTES_PER_PIXEL;
      LOG.info(
          "Probe decode of a {} latent on {}: {} MB at peak, {} B per output pixel ({} forwards"
              + " in {} s)",
          new Shape(1, channels, h, w),
          device,
          peak >> 20,
          perPixel,
          forwards,
          String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
      return perPixel;
    }
  }
}
