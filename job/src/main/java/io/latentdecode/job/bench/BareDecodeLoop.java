package io.latentdecode.job.bench;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import io.latentdecode.udf.model.DecoderLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * The floor the job is measured against: the plainest DJL loop over latents already in memory, one
 * predictor, batch after batch, output to 8-bit pixels; no Spark, no encoding, no storage.
 */
final class BareDecodeLoop {
  static final int WARM_UP_FORWARDS = 3;

  private BareDecodeLoop() {}

  /** Loads the decoder the loop runs. */
  interface Loader {
    ZooModel<NDList, NDList> load() throws java.io.IOException;
  }

  /**
   * Decodes every latent ({@code [C, h, w]} float32 values) in batches; returns the wall time in
   * nanos.
   */
  static long run(Path model, List<float[]> latents, int[] shape, int batchSize) throws Exception {
    return run(() -> DecoderLoader.load(model, Device.cpu()), latents, shape, batchSize);
  }

  static long run(Loader model, List<float[]> latents, int[] shape, int batchSize)
      throws Exception {
    try (ZooModel<NDList, NDList> loaded = model.load();
        Predictor<NDList, NDList> predictor = loaded.newPredictor()) {
      // Warm up: the profiling executor optimises a graph for a shape after its first runs.
      for (int i = 0; i < WARM_UP_FORWARDS; i++) {
        decode(
            loaded,
            predictor,
            latents.subList(0, Math.min(batchSize, latents.size())),
            shape,
            batchSize);
      }
      long start = System.nanoTime();
      decode(loaded, predictor, latents, shape, batchSize);
      return System.nanoTime() - start;
    }
  }

  /** Decodes the latents batch after batch and brings the 8-bit pixels back; returns them. */
  static byte[] decode(
      ZooModel<NDList, NDList> model,
      Predictor<NDList, NDList> predictor,
      List<float[]> latents,
      int[] shape,
      int batchSize)
      throws Exception {
    byte[] pixels = new byte[0];
    for (int from = 0; from < latents.size(); from += batchSize) {
      List<float[]> batch = latents.subList(from, Math.min(latents.size(), from + batchSize));
      try (NDManager scope = model.getNDManager().newSubManager()) {
        ByteBuffer bytes =
            ByteBuffer.allocateDirect(batch.size() * batch.get(0).length * 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (float[] values : batch) {
          bytes.asFloatBuffer().put(values);
          bytes.position(bytes.position() + values.length * 4);
        }
        bytes.flip();
        NDArray x =
            scope.create(
                bytes, new Shape(batch.size(), shape[0], shape[1], shape[2]), DataType.FLOAT32);
        NDArray out = predictor.predict(new NDList(x)).singletonOrThrow();
        pixels =
            out.clip(0, 1)
                .mul(255)
                .round()
                .toType(DataType.UINT8, false)
                .transpose(0, 2, 3, 1)
                .toByteArray();
      }
    }
    return pixels;
  }
}
