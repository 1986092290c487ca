package io.latentdecode.job.bench;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.ModelDigest;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.decode.BatchDecoder;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentDtype;
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
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;

/**
 * Peak resident memory of the job's decode path (BatchDecoder: inference mode, per-batch scope)
 * against the same forward with an autograd graph (weights loaded trainable, forward in training
 * mode on a fresh grad-mode thread), side by side.
 */
final class InferenceMemoryComparison {
  private InferenceMemoryComparison() {}

  static void run(Path model, int channels, int side, int batch, PrintWriter out) throws Exception {
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
            ModelDigest.of(
                org.apache.hadoop.fs.FileSystem.getLocal(conf),
                new org.apache.hadoop.fs.Path(model.toUri())),
            ai.djl.Device.cpu(),
            conf,
            Runtime.getRuntime().availableProcessors());
    long inference;
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
      inference = ProcessMemory.peakDuringOnFreshThread(() -> job.decode(latents));
    }
    Criteria<NDList, NDList> trainable =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(model)
            .optEngine("PyTorch")
            .optOption("trainParam", "true")
            .optTranslator(new NoopTranslator())
            .build();
    long autograd;
    try (ZooModel<NDList, NDList> graphModel = trainable.loadModel();
        NDManager scope = graphModel.getNDManager().newSubManager()) {
      ParameterStore store = new ParameterStore(scope, false);
      Shape shape = new Shape(batch, channels, side, side);
      graphModel
          .getBlock()
          .forward(store, new NDList(scope.randomNormal(new Shape(1, channels, 8, 8))), true);
      autograd =
          ProcessMemory.peakDuringOnFreshThread(
              () ->
                  graphModel
                      .getBlock()
                      .forward(store, new NDList(scope.randomNormal(shape)), true));
    }
    out.printf(
        "%n| decode of %d x [%d, %d, %d] | peak RSS | vs autograd |%n|---|---:|---:|%n"
            + "| job decode path (inference mode) | %d MB | %.2f |%n"
            + "| same forward with an autograd graph | %d MB | 1.00 |%n",
        batch,
        channels,
        side,
        side,
        inference >> 20,
        (double) inference / autograd,
        autograd >> 20);
    out.flush();
  }
}
