package io.latentdecode.udf.decode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentDtype;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.testing.SharedData;
import io.latentdecode.udf.testing.TestDecoders;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.junit.jupiter.api.Test;

/**
 * Long runs must not leak native memory: every tensor of a batch (inputs, outputs, the rows set
 * aside for NaN, the pixels) lives in the batch's scope and is freed with it, so after many batches
 * across many "tasks" (a predictor each) the decoder's manager holds exactly the arrays it held
 * before. (The soak benchmark measures the process's resident memory over a long run.)
 */
class NativeMemoryTest {
  @Test
  void manyBatchesLeaveNoArrayBehind() throws Exception {
    LoadedDecoder decoder = TestDecoders.onCpu(SharedData.taef2Decoder());
    DecodeSettings settings =
        DecodeSettings.of(
            LatentConvention.plain(1.0, 0.0, OutputRange.ZERO_TO_ONE),
            ImageFormat.RAW,
            4,
            DeviceRequest.CPU);
    BaseNDManager modelManager;
    try (NDManager probe = decoder.newBatchManager()) {
      modelManager = (BaseNDManager) probe.getParentManager();
    }
    int before = modelManager.getManagedArrays().size();
    Random random = new Random(7);
    for (int task = 0; task < 5; task++) {
      try (Predictor<NDList, NDList> predictor = decoder.newPredictor();
          BatchDecoder batches = new BatchDecoder(decoder, predictor, settings)) {
        for (int b = 0; b < 20; b++) {
          List<Latent> batch = new ArrayList<>();
          for (int i = 0; i < 4; i++) {
            batch.add(latent("t" + task + "b" + b + "i" + i, random, b == 3 && i == 1));
          }
          DecodedBatch result = batches.decode(batch);
          assertThat(result.decoded()).hasSize(b == 3 ? 3 : 4);
        }
      }
      assertThat(modelManager.getManagedArrays())
          .as("arrays still held after task %d", task)
          .hasSize(before);
    }
  }

  private static Latent latent(String id, Random random, boolean withNan) throws Exception {
    int c = 32;
    int side = 4;
    ByteBuffer b = ByteBuffer.allocate(c * side * side * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < c * side * side; i++) {
      b.putFloat(withNan && i == 5 ? Float.NaN : (float) random.nextGaussian());
    }
    return Latent.of(
        id, new int[] {c, side, side}, LatentDtype.FLOAT32, b.array(), new GenericInternalRow(0));
  }
}
