package io.latentdecode.udf.decode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentdecode.udf.model.DecodeService;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.model.ProcessMemory;
import io.latentdecode.udf.testing.SharedData;
import io.latentdecode.udf.testing.TestDecoders;
import org.junit.jupiter.api.Test;

/**
 * The memory a batch size is chosen from holds for attention: a TorchScript trace of diffusers'
 * AutoencoderKL computes its mid-block attention as one [pixels x pixels] score matrix, so a latent
 * larger than the 64x64 probe needs more per pixel than the probe measured. The figure for such a
 * latent is measured at its own size and predicts a real decode of it; the probe's figure scaled
 * linearly would not.
 */
class ForwardMemoryProbeTest {
  private static final int SIDE = 128;

  @Test
  void aLatentLargerThanTheProbeIsMeasuredAtItsOwnSize() throws Exception {
    LoadedDecoder decoder =
        TestDecoders.onCpu(SharedData.autoencoderKl("sd-tiny").resolve("decoder.ts.pt"));
    DecodeService service = DecodeService.unshared(Device.cpu());
    long pixels = (long) SIDE * 8 * SIDE * 8;

    long linear = ForwardMemoryProbe.bytesPerOutputPixel(decoder, 4, service) * pixels;
    long predicted =
        ForwardMemoryProbe.bytesPerOutputPixel(decoder, 4, SIDE, SIDE, service) * pixels;
    long measured;
    try (NDManager scope = decoder.newBatchManager();
        Predictor<NDList, NDList> predictor = decoder.newPredictor()) {
      NDList latent = new NDList(scope.zeros(new Shape(1, 4, SIDE, SIDE)));
      long before = ProcessMemory.residentBytes();
      ProcessMemory.resetPeak();
      predictor.predict(latent);
      measured = ProcessMemory.peakResidentBytes() - before;
    }

    String figures =
        String.format(
            "measured %d MB, predicted at its size %d MB, probe's figure scaled %d MB",
            measured >> 20, predicted >> 20, linear >> 20);
    assertThat((double) predicted).as(figures).isBetween(0.7 * measured, 1.5 * measured);
    assertThat((double) linear).as(figures).isLessThan(0.8 * measured);
    System.out.println("ForwardMemoryProbeTest: " + figures);
  }
}
