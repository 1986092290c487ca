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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  /**
   * Small decodes that malloc would serve from memory it kept from earlier forwards, unless it
   * hands its free memory back first: the benchmark's TAEF2 latents (256x512 images), and the
   * AutoencoderKL latent whose 64x64-probe-free measurement once read 8 MB.
   */
  @ParameterizedTest
  @CsvSource({"taef2, 32, 64, 32", "sd-tiny, 4, 40, 56"})
  void aSmallLatentIsMeasuredAtItsOwnSizeAfterEarlierDecodesLeftMemoryInTheAllocator(
      String model, int channels, int h, int w) throws Exception {
    LoadedDecoder decoder = decoderOnCpu(model);
    DecodeService service = DecodeService.unshared(Device.cpu());
    long pixels = (long) h * 8 * w * 8;
    for (int i = 0; i < 3; i++) {
      decode(decoder, new Shape(1, channels, h, w)); // a run's first batches of 1
    }

    long predicted = ForwardMemoryProbe.bytesPerOutputPixel(decoder, channels, h, w, service);
    long forFour = BatchSizes.bytesForBatch(predicted * pixels, 4);
    ProcessMemory.releaseFreeMemory();
    long before = ProcessMemory.residentBytes();
    ProcessMemory.resetPeak();
    decode(decoder, new Shape(4, channels, h, w));
    long measured = ProcessMemory.peakResidentBytes() - before;

    String figures =
        String.format(
            "%s %dx%dx%d, a batch of 4: measured %d MB, predicted %d MB (%d B per output pixel, with"
                + " the batch margin)",
            model, channels, h, w, measured >> 20, forFour >> 20, predicted);
    assertThat((double) forFour)
        .as(figures)
        .isBetween(0.9 * measured, 2.0 * BatchSizes.BATCH_MARGIN * measured);
    System.out.println("ForwardMemoryProbeTest: " + figures);
  }

  /**
   * A task's first forward of a size is the probe's measurement: its images go back to the task,
   * the figure is there for the batch sizes without a forward of its own, and it predicts a decode
   * of a batch of that size (with attention's square at 96x96).
   */
  @ParameterizedTest
  @CsvSource({"taef2, 32, 48, 40", "sd-tiny, 4, 96, 96"})
  void aTasksFirstForwardOfASizeIsTheProbesMeasurement(String model, int channels, int h, int w)
      throws Exception {
    LoadedDecoder decoder = decoderOnCpu(model);
    DecodeService service = DecodeService.unshared(Device.cpu());
    long pixels = (long) h * 8 * w * 8;
    assertThat(ForwardMemoryProbe.measuredFigure(decoder, channels, h, w)).isEmpty();

    Shape out = firstForward(decoder, new Shape(1, channels, h, w), service);
    long figure = ForwardMemoryProbe.measuredFigure(decoder, channels, h, w).orElseThrow();
    Shape again = firstForward(decoder, new Shape(1, channels, h, w), service);

    assertThat(out).isEqualTo(new Shape(1, 3, h * 8, w * 8));
    assertThat(again).isEqualTo(out);
    assertThat(ForwardMemoryProbe.measuredFigure(decoder, channels, h, w)).contains(figure);
    assertThat(ForwardMemoryProbe.bytesPerOutputPixel(decoder, channels, h, w, service))
        .isEqualTo(figure);
    // a batch of 2 as the search's batches run, after the first at that shape (whose
    // one-time allocations read 289-350 MB in four runs, against 279-291 MB for twice the figure);
    // the steady batch read up to 1.26 times twice the figure (341 MB against 271 MB in CI)
    decode(decoder, new Shape(2, channels, h, w));
    ProcessMemory.releaseFreeMemory();
    long before = ProcessMemory.residentBytes();
    ProcessMemory.resetPeak();
    decode(decoder, new Shape(2, channels, h, w));
    long measured = ProcessMemory.peakResidentBytes() - before;
    long forTwo = BatchSizes.bytesForBatch(figure * pixels, 2);
    String figures =
        String.format(
            "%s %dx%dx%d, a batch of 2: measured %d MB, predicted from the first forward %d MB"
                + " (%d B per output pixel, with the batch margin)",
            model, channels, h, w, measured >> 20, forTwo >> 20, figure);
    assertThat((double) forTwo)
        .as(figures)
        .isBetween(0.9 * measured, 2.0 * BatchSizes.BATCH_MARGIN * measured);
    System.out.println("ForwardMemoryProbeTest: " + figures);
  }

  private static Shape firstForward(LoadedDecoder decoder, Shape shape, DecodeService service)
      throws Exception {
    try (NDManager scope = decoder.newBatchManager();
        Predictor<NDList, NDList> predictor = decoder.newPredictor()) {
      return ForwardMemoryProbe.firstForward(
          decoder,
          (int) shape.get(1),
          (int) shape.get(2),
          (int) shape.get(3),
          service,
          () -> predictor.predict(new NDList(scope.zeros(shape))).get(0).getShape(),
          images -> images.get(2) * images.get(3));
    }
  }

  /** TAEF2's TorchScript decoder, or the trace of the AutoencoderKL test model of that name. */
  private static LoadedDecoder decoderOnCpu(String model) throws Exception {
    return TestDecoders.onCpu(
        model.equals("taef2")
            ? SharedData.taef2Decoder()
            : SharedData.autoencoderKl(model).resolve("decoder.ts.pt"));
  }

  private static void decode(LoadedDecoder decoder, Shape shape) throws Exception {
    try (NDManager scope = decoder.newBatchManager();
        Predictor<NDList, NDList> predictor = decoder.newPredictor()) {
      predictor.predict(new NDList(scope.zeros(shape)));
    }
  }
}
