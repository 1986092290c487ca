package io.latentdecode.udf.decode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentDtype;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.testing.ReferenceDecodes;
import io.latentdecode.udf.testing.SharedData;
import io.latentdecode.udf.testing.TestDecoders;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.junit.jupiter.api.Test;

class BatchDecoderTest {
  private static final DecodeSettings TAEF2 = ReferenceDecodes.SETTINGS;

  @Test
  void decodesTheReferenceLatentsToThePixelsPyTorchGives() throws Exception {
    LoadedDecoder decoder = TestDecoders.onCpu(SharedData.taef2Decoder());
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor()) {
      BatchDecoder batchDecoder = new BatchDecoder(decoder, predictor, TAEF2);
      for (String name : ReferenceDecodes.NAMES) {
        Latent latent = ReferenceDecodes.latent(name);
        DecodedBatch result = batchDecoder.decode(List.of(latent));

        assertThat(result.rejected()).isEmpty();
        assertThat(result.height()).isEqualTo(latent.height() * 8);
        assertThat(result.width()).isEqualTo(latent.width() * 8);
        byte[] expected = ReferenceDecodes.expectedPixelsHwc(name, result.height(), result.width());
        assertThat(result.pixels()).hasSize(expected.length);
        int maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs((result.pixels()[i] & 0xff) - (expected[i] & 0xff)));
        }
        assertThat(maxDiff).as("max 8-bit difference for %s", name).isLessThanOrEqualTo(1);
        assertThat(ReferenceDecodes.psnr(result.pixels(), 0, expected, expected.length))
            .isGreaterThan(45);
      }
    }
  }

  @Test
  void setsAsideLatentsWithNanOrInfAndDecodesTheRestOfTheBatch() throws Exception {
    LoadedDecoder decoder = TestDecoders.onCpu(SharedData.taef2Decoder());
    Latent good = ReferenceDecodes.latent("brick");
    Latent withNan = withValue(good, "nan", 17, Float.NaN);
    Latent withInf = withValue(good, "inf", 5, Float.POSITIVE_INFINITY);
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor()) {
      DecodedBatch result =
          new BatchDecoder(decoder, predictor, TAEF2).decode(List.of(withNan, good, withInf));

      assertThat(result.decoded()).extracting(Latent::id).containsExactly("brick");
      assertThat(result.rejected()).extracting(r -> r.latent().id()).containsExactly("nan", "inf");
      assertThat(result.rejected())
          .allSatisfy(r -> assertThat(r.reason().kind()).isEqualTo(ErrorKind.NON_FINITE_LATENT));
      byte[] expected = ReferenceDecodes.expectedPixelsHwc("brick", 256, 256);
      assertThat(ReferenceDecodes.psnr(result.pixels(), 0, expected, expected.length))
          .isGreaterThan(45);
    }
  }

  @Test
  void rejectsABatchTheModelCannotTakeWithTheModelsReason() throws Exception {
    LoadedDecoder decoder = TestDecoders.onCpu(SharedData.taef2Decoder());
    Latent fourChannels =
        Latent.of(
            "sd-latent",
            new int[] {4, 8, 8},
            LatentDtype.FLOAT32,
            new byte[4 * 8 * 8 * 4],
            new GenericInternalRow(0));
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor()) {
      DecodedBatch result =
          new BatchDecoder(decoder, predictor, TAEF2).decode(List.of(fourChannels));

      assertThat(result.decoded()).isEmpty();
      assertThat(result.rejected())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason().kind()).isEqualTo(ErrorKind.MODEL_REJECTED);
                assertThat(r.reason().getMessage()).contains("[4, 8, 8]").contains("channels");
              });
    }
  }

  private static Latent withValue(Latent base, String id, int index, float value) throws Exception {
    byte[] data = base.data().clone();
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(index * 4, value);
    return Latent.of(id, base.shape(), base.dtype(), data, base.carried());
  }
}
