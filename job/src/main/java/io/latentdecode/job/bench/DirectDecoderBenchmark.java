package io.latentdecode.job.bench;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import io.latentdecode.job.model.ModelResolver;
import io.latentdecode.job.model.ResolvedModel;
import io.latentdecode.udf.model.DecoderLoader;
import io.latentdecode.udf.model.DirectDecoderLoader;
import io.latentdecode.udf.model.EngineSetup;
import io.latentdecode.udf.model.ModelFetcher;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;

/**
 * A model's weights run directly through the job's decode graph against the TorchScript trace of
 * the same model, side by side in one JVM: the same latents through the same bare DJL loop, each
 * batch decoded by the trace and then directly (see {@link #interleaved}), then the direct decode's
 * time and peak memory under inference mode against the same graph recording autograd.
 */
public final class DirectDecoderBenchmark {
  /** Times the speed rows go over the latents. */
  private static final int ROUNDS = 2;

  private DirectDecoderBenchmark() {}

  /**
   * @param model what {@code --model} of a run would be (a diffusers folder, a safetensors file)
   * @param trace the TorchScript trace of the same decode, or null to skip the speed rows
   */
  public static void run(
      String model,
      Path trace,
      int images,
      int latentSize,
      int batchSize,
      int cores,
      PrintWriter out)
      throws Exception {
    Configuration conf = new Configuration();
    ResolvedModel resolved = ModelResolver.resolve(model, Optional.empty(), conf);
    if (!resolved.ref().isDirect()) {
      throw new IllegalArgumentException(
          "--direct needs weights the job runs directly (a diffusers folder or a safetensors"
              + " file), not "
              + resolved.format());
    }
    int channels = resolved.ref().direct().architecture().latentChannels();
    int[] shape = {channels, latentSize, latentSize};
    List<float[]> latents = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < images; i++) {
      float[] values = new float[channels * latentSize * latentSize];
      for (int j = 0; j < values.length; j++) {
        values[j] = (float) random.nextGaussian();
      }
      latents.add(values);
    }
    out.printf(
        "Direct decode benchmark: %s (%s, %,d parameters), %d latents %s -> %dx%d, batch %d, %d"
            + " cores%n",
        model,
        resolved.format(),
        resolved.weights().parameterCount(),
        images,
        java.util.Arrays.toString(shape),
        latentSize * 8,
        latentSize * 8,
        batchSize,
        cores);
    out.flush();
    EngineSetup.configure(cores);
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch before JniUtils is called
    ai.djl.pytorch.jni.JniUtils.setNumThreads(cores);
    InferenceMemoryComparison.run(resolved.ref(), channels, latentSize, batchSize, out);
    if (trace == null) {
      return;
    }
    Path weights = ModelFetcher.localCopy(resolved.ref(), conf);
    BareDecodeLoop.Loader direct =
        () -> DirectDecoderLoader.load(weights, resolved.ref().direct(), Device.cpu());
    BareDecodeLoop.Loader traced = () -> DecoderLoader.load(trace, Device.cpu());
    long[] nanos = interleaved(traced, direct, latents, shape, batchSize);
    double traceSeconds = nanos[0] / 1e9;
    double directSeconds = nanos[1] / 1e9;
    out.printf(
        "%n| path (same bare DJL loop, batches alternating, %d rounds) | images/s | vs trace |%n"
            + "|---|---:|---:|%n"
            + "| TorchScript trace (%s) | %.3f | 1.00 |%n"
            + "| weights run directly (%s graph) | %.3f | %.2f |%n",
        ROUNDS,
        trace.getFileName(),
        ROUNDS * images / traceSeconds,
        resolved.ref().direct().architecture().name(),
        ROUNDS * images / directSeconds,
        traceSeconds / directSeconds);
    out.flush();
  }

  /**
   * Both decoders loaded and warmed up, then every batch decoded by one and then the other, {@link
   * #ROUNDS} times over the latents: what the machine does meanwhile (these are shared and drift by
   * 10-20% within minutes) falls on both paths alike. Returns the nanos spent in each.
   */
  private static long[] interleaved(
      BareDecodeLoop.Loader first,
      BareDecodeLoop.Loader second,
      List<float[]> latents,
      int[] shape,
      int batchSize)
      throws Exception {
    try (ZooModel<NDList, NDList> a = first.load();
        Predictor<NDList, NDList> aPredictor = a.newPredictor();
        ZooModel<NDList, NDList> b = second.load();
        Predictor<NDList, NDList> bPredictor = b.newPredictor()) {
      List<float[]> warmUp = latents.subList(0, Math.min(batchSize, latents.size()));
      for (int i = 0; i < BareDecodeLoop.WARM_UP_FORWARDS; i++) {
        BareDecodeLoop.decode(a, aPredictor, warmUp, shape, batchSize);
        BareDecodeLoop.decode(b, bPredictor, warmUp, shape, batchSize);
      }
      long[] nanos = new long[2];
      for (int round = 0; round < ROUNDS; round++) {
        for (int from = 0; from < latents.size(); from += batchSize) {
          List<float[]> batch = latents.subList(from, Math.min(latents.size(), from + batchSize));
          long start = System.nanoTime();
          BareDecodeLoop.decode(a, aPredictor, batch, shape, batchSize);
          long middle = System.nanoTime();
          BareDecodeLoop.decode(b, bPredictor, batch, shape, batchSize);
          nanos[0] += middle - start;
          nanos[1] += System.nanoTime() - middle;
        }
      }
      return nanos;
    }
  }
}
