package io.latentdecode.job.bench;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.ModelDigest;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.decode.BatchDecoder;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentDtype;
import io.latentdecode.udf.model.AutogradDecoders;
import io.latentdecode.udf.model.DecoderCache;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.model.ProcessMemory;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;

/**
 * Peak resident memory of the job's decode path (BatchDecoder: inference mode, per-batch scope)
 * against the same forward with an autograd graph (weights loaded outside inference mode, input
 * requiring its gradient, forward in training mode on a fresh grad-mode thread), side by side.
 */
final class InferenceMemoryComparison {
  private InferenceMemoryComparison() {}

  static void run(Path model, int channels, int side, int batch, PrintWriter out) throws Exception {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    run(
        ModelDigest.of(
            org.apache.hadoop.fs.FileSystem.getLocal(conf),
            new org.apache.hadoop.fs.Path(model.toUri())),
        channels,
        side,
        batch,
        out);
  }

  /**
   * @param model a TorchScript file (compared with it loaded trainable) or weights run directly
   *     (compared with the same graph given its weights outside inference mode, {@link
   *     AutogradDecoders})
   */
  static void run(ModelRef model, int channels, int side, int batch, PrintWriter out)
      throws Exception {
    if (!ProcessMemory.supported()) {
      out.printf("%nInference-mode memory: needs Linux /proc/self/clear_refs; skipped%n");
      return;
    }
    List<Latent> latents = new ArrayList<>();
    Random random = new Random(3);
    for (int i = 0; i < batch; i++) {
      ByteBuffer b = ByteBuffer.allocate(channels * side * side * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int j = 0; j < channels * side * side; j++) {
        b.putFloat((float) random.nextGaussian());
      }
      latents.add(
          Latent.of(
              "l" + i,
              new int[] {channels, side, side},
              LatentDtype.FLOAT32,
              b.array(),
              new GenericInternalRow(0)));
    }
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    LoadedDecoder decoder =
        DecoderCache.get(
            model, ai.djl.Device.cpu(), conf, Runtime.getRuntime().availableProcessors());
    long inference;
    long inferenceNanos;
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor();
        BatchDecoder job =
            new BatchDecoder(
                decoder,
                predictor,
                DecodeSettings.of(
                    LatentConvention.plain(1, 0, OutputRange.ZERO_TO_ONE),
                    ImageFormat.RAW,
                    batch,
                    DeviceRequest.CPU))) {
      job.decode(latents.subList(0, 1)); // warm up
      long[] nanos = new long[1];
      inference = ProcessMemory.peakDuringOnFreshThread(timed(() -> job.decode(latents), nanos));
      inferenceNanos = nanos[0];
    }
    long autograd;
    long autogradNanos;
    try (ZooModel<NDList, NDList> graphModel = AutogradDecoders.load(model, conf);
        NDManager scope = graphModel.getNDManager().newSubManager()) {
      ParameterStore store = new ParameterStore(scope, false);
      Shape shape = new Shape(batch, channels, side, side);
      NDArray warm = scope.randomNormal(new Shape(1, channels, 8, 8));
      warm.setRequiresGradient(true);
      graphModel.getBlock().forward(store, new NDList(warm), true);
      NDArray z = scope.randomNormal(shape);
      z.setRequiresGradient(true); // the graph is recorded even where weights need no gradient
      long[] nanos = new long[1];
      autograd =
          ProcessMemory.peakDuringOnFreshThread(
              timed(() -> graphModel.getBlock().forward(store, new NDList(z), true), nanos));
      autogradNanos = nanos[0];
    }
    out.printf(
        "%n| decode of %d x [%d, %d, %d] (%s) | time | peak RSS | vs autograd |%n"
            + "|---|---:|---:|---:|%n"
            + "| job decode path (inference mode) | %.2f s | %d MB | %.2f |%n"
            + "| same forward with an autograd graph | %.2f s | %d MB | 1.00 |%n",
        batch,
        channels,
        side,
        side,
        model.isDirect()
            ? model.direct().architecture().name() + " weights, direct"
            : "TorchScript",
        inferenceNanos / 1e9,
        inference >> 20,
        (double) inference / autograd,
        autogradNanos / 1e9,
        autograd >> 20);
    out.flush();
  }

  /**
   * The work, timing itself into {@code nanos[0]}: the decode alone, not the collection and the
   * wait for resident memory to settle that come before it.
   */
  private static <T> Callable<T> timed(Callable<T> work, long[] nanos) {
    return () -> {
      long start = System.nanoTime();
      T result = work.call();
      nanos[0] = System.nanoTime() - start;
      return result;
    };
  }
}
