package io.latentdecode.udf.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentdecode.udf.contract.Precision;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.NpyFile;
import io.latentdecode.udf.testing.ReferenceDecodes;
import io.latentdecode.udf.testing.SharedData;
import io.latentdecode.udf.testing.TestDecoders;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Safetensors weights run through the job's own decode graphs reproduce diffusers' decodes of the
 * shared AutoencoderKL test models (float32, before quantisation) and the TorchScript trace of the
 * same model, and TAEF2's weights reproduce its TorchScript decoder.
 */
class DirectDecoderTest {
  @ParameterizedTest
  @CsvSource({
    "sd-tiny, a_32x32, 0.18215, 0",
    "sd-tiny, b_24x40, 0.18215, 0",
    "sd-tiny, c_48x48, 0.18215, 0",
    "flux-tiny, a_32x32, 0.3611, 0.1159",
    "flux-tiny, b_24x40, 0.3611, 0.1159",
    "flux-tiny, c_48x48, 0.3611, 0.1159"
  })
  void autoencoderKlWeightsDecodeLikeDiffusersAndLikeTheTrace(
      String model, String latent, double scaling, double shift) throws Exception {
    Path folder = SharedData.autoencoderKl(model);
    Path reference = SharedData.autoencoderKlReference(model);
    LoadedDecoder direct =
        TestDecoders.directOnCpu(folder.resolve("diffusion_pytorch_model.safetensors"));
    LoadedDecoder trace = TestDecoders.onCpu(folder.resolve("decoder.ts.pt"));
    Latent l = npy(reference.resolve(latent + ".npy"));

    float[] x = decode(direct, l, scaling, shift);
    float[] expected = f32(reference.resolve(latent + ".decoded.f32"));
    float[] traced = decode(trace, l, scaling, shift);

    assertThat(x).hasSize(expected.length);
    double vsDiffusers = maxAbsDiff(x, expected);
    double vsTrace = maxAbsDiff(x, traced);
    System.out.printf(
        "%s %s: max |x - diffusers| %.2e, max |x - trace| %.2e%n",
        model, latent, vsDiffusers, vsTrace);
    assertThat(vsDiffusers).as("max |x - diffusers' decode|").isLessThan(1e-3);
    assertThat(vsTrace).as("max |x - the TorchScript trace's decode|").isLessThan(1e-4);
  }

  @Test
  void taef2WeightsDecodeLikeItsTorchScriptDecoder() throws Exception {
    LoadedDecoder direct = TestDecoders.directOnCpu(SharedData.taef2Weights());
    LoadedDecoder torchScript = TestDecoders.onCpu(SharedData.taef2Decoder());
    for (String name : ReferenceDecodes.NAMES) {
      Latent l = ReferenceDecodes.latent(name);
      float[] x = decode(direct, l, 1, 0);
      float[] expected = f32(SharedData.taef2Reference().resolve(name + ".decoded.f32"));
      assertThat(maxAbsDiff(x, expected)).as("%s vs PyTorch", name).isLessThan(1e-3);
      assertThat(maxAbsDiff(x, decode(torchScript, l, 1, 0)))
          .as("%s vs TorchScript", name)
          .isLessThan(1e-4);
    }
  }

  @Test
  void halfPrecisionCastsTheSameWeightsOnTheDeviceAndReturnsFloat32() throws Exception {
    Path weights =
        SharedData.autoencoderKl("sd-tiny").resolve("diffusion_pytorch_model.safetensors");
    LoadedDecoder bf16 =
        DecoderCache.get(
            TestDecoders.direct(weights, Precision.BF16), Device.cpu(), new Configuration(), 2);
    LoadedDecoder fp32 = TestDecoders.directOnCpu(weights);
    assertThat(bf16).isNotSameAs(fp32);
    // small: this CPU has no native bfloat16 convolutions
    Latent l = corner(npy(SharedData.autoencoderKlReference("sd-tiny").resolve("a_32x32.npy")), 6);

    float[] half = decode(bf16, l, 0.18215, 0);
    float[] full = decode(fp32, l, 0.18215, 0);

    double mean = 0;
    for (int i = 0; i < full.length; i++) {
      mean += Math.abs(half[i] - full[i]);
    }
    mean /= full.length;
    assertThat(mean).as("mean |bf16 - fp32|").isGreaterThan(0).isLessThan(0.05);
  }

  /** x = decoder(latent / scaling + shift), float32 CHW, batch of one. */
  static float[] decode(LoadedDecoder decoder, Latent latent, double scaling, double shift)
      throws Exception {
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor();
        NDManager scope = decoder.newBatchManager()) {
      FloatBuffer values =
          FloatBuffer.allocate(latent.channels() * latent.height() * latent.width());
      latent.dtype().putAsFloat32(latent.data(), values);
      values.flip();
      NDArray z =
          scope
              .create(values, new Shape(1, latent.channels(), latent.height(), latent.width()))
              .div(scaling)
              .add(shift);
      NDArray x = predictor.predict(new NDList(z)).singletonOrThrow();
      assertThat(x.getDataType()).isEqualTo(DataType.FLOAT32);
      return x.toFloatArray();
    }
  }

  /** The top-left {@code size x size} of a float32 latent. */
  static Latent corner(Latent latent, int size) {
    ByteBuffer in = ByteBuffer.wrap(latent.data()).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out =
        ByteBuffer.allocate(latent.channels() * size * size * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int c = 0; c < latent.channels(); c++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          out.putFloat(in.getFloat(((c * latent.height() + y) * latent.width() + x) * 4));
        }
      }
    }
    return new Latent(
        latent.id(),
        new int[] {latent.channels(), size, size},
        latent.dtype(),
        out.array(),
        latent.carried());
  }

  static Latent npy(Path file) throws Exception {
    return NpyFile.toLatent("latent", Files.readAllBytes(file), new GenericInternalRow(0));
  }

  static float[] f32(Path file) throws Exception {
    FloatBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
