package io.latentdecode.udf.model;

import ai.djl.Device;
import io.latentdecode.udf.contract.ModelRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor JVM's decoders: one per (model digest, decode graph and precision, device), loaded
 * on first use by whichever task comes first while concurrent tasks wait for it, shared afterwards,
 * closed at JVM shutdown. A static, JVM-wide cache rather than a field of a serialised closure,
 * which would reload the model per task.
 */
public final class DecoderCache {
  private static final Logger LOG = LoggerFactory.getLogger(DecoderCache.class);
  private static final Map<Key, LoadedDecoder> DECODERS = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(DecoderCache::closeAll, "latent-decode-decoder-cache-close"));
  }

  private record Key(String model, String device) {}

  private DecoderCache() {}

  /**
   * The decoder for this model on this device, loading it if this JVM has not yet.
   *
   * @param intraOpThreads PyTorch threads per decode, applied if this load starts the engine
   */
  public static LoadedDecoder get(
      ModelRef model, Device device, Configuration conf, int intraOpThreads) {
    return DECODERS.computeIfAbsent(
        new Key(model.cacheKey(), device.toString()),
        key -> load(model, device, conf, intraOpThreads, true));
  }

  /**
   * The decoder loaded outside the cache (the caller closes it), not counted among this JVM's
   * loads: a driver's check of a model its tasks will not run in this JVM.
   */
  public static LoadedDecoder loadUncached(
      ModelRef model, Device device, Configuration conf, int intraOpThreads) {
    return load(model, device, conf, intraOpThreads, false);
  }

  /** How many decoders this JVM has loaded since it started. */
  public static int loadCount() {
    return LOADS.get();
  }

  private static LoadedDecoder load(
      ModelRef model, Device device, Configuration conf, int intraOpThreads, boolean counted) {
    EngineSetup.configure(intraOpThreads);
    long start = System.nanoTime();
    try {
      Path local = ModelFetcher.localCopy(model, conf);
      LoadedDecoder decoder =
          new LoadedDecoder(
              model.cacheKey(),
              device,
              model.isDirect()
                  ? DirectDecoderLoader.load(local, model.direct(), device)
                  : DecoderLoader.load(local, device),
              (System.nanoTime() - start) / 1_000_000);
      if (!counted) {
        return decoder;
      }
      int n = LOADS.incrementAndGet();
      LOG.info(
          "Loaded decoder {} (sha256 {}{}) on {} in {} ms; load #{} in this JVM",
          model.fileName(),
          model.sha256().substring(0, 12),
          model.isDirect()
              ? ", " + model.direct().architecture().name() + " in " + model.direct().precision()
              : "",
          device,
          decoder.loadMillis(),
          n);
      return decoder;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeAll() {
    DECODERS.values().forEach(LoadedDecoder::close);
    DECODERS.clear();
  }
}
