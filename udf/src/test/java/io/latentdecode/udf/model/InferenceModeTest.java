package io.latentdecode.udf.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import io.latentdecode.udf.contract.Precision;
import io.latentdecode.udf.decode.SharedStatisticsTiles;
import io.latentdecode.udf.testing.SharedData;
import io.latentdecode.udf.testing.TestDecoders;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Proves that the job decodes under PyTorch's inference mode rather than assuming it: outputs are
 * inference tensors, and the decode's peak memory is far below the same decode with an autograd
 * graph (the out-of-memory failure this project exists to avoid).
 */
class InferenceModeTest {
  private static final long[] BATCH = {4, 32, 32, 32}; // four 256x256 TAEF2 decodes

  @Test
  void decoderOutputsAreInferenceTensorsThatRefuseInPlaceUpdates() throws Exception {
    LoadedDecoder decoder = TestDecoders.onCpu(SharedData.taef2Decoder());
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor();
        NDManager scope = decoder.newBatchManager()) {
      NDArray out =
          predictor
              .predict(new NDList(scope.randomNormal(new Shape(1, 32, 4, 4))))
              .singletonOrThrow();

      assertThatThrownBy(() -> out.addi(1f))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("Inplace update to inference tensor outside InferenceMode");
      assertThat(out.add(1f).getShape())
          .isEqualTo(out.getShape()); // out-of-place is what the job uses
    }
  }

  @Test
  void peakMemoryOfTheJobsDecodeIsWellBelowTheSameDecodeWithAnAutogradGraph() throws Exception {
    assumeThat(ProcessMemory.supported()).as("needs Linux /proc/self/clear_refs").isTrue();
    Path model = SharedData.taef2Decoder();
    LoadedDecoder decoder = TestDecoders.onCpu(model);
    long inference =
        onFreshThread(
            () -> {
              try (Predictor<NDList, NDList> predictor = decoder.newPredictor();
                  NDManager scope = decoder.newBatchManager()) {
                predictor.predict(
                    new NDList(scope.randomNormal(new Shape(1, 32, 8, 8)))); // warm up
                return peakDuring(
                    () -> predictor.predict(new NDList(scope.randomNormal(new Shape(BATCH)))));
              }
            });

    Criteria<NDList, NDList> trainable =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(model)
            .optEngine("PyTorch")
            .optOption("trainParam", "true")
            .optTranslator(new NoopTranslator())
            .build();
    long autograd;
    try (ZooModel<NDList, NDList> graphModel = trainable.loadModel()) {
      autograd =
          onFreshThread(
              () -> {
                try (NDManager scope = graphModel.getNDManager().newSubManager()) {
                  ParameterStore store = new ParameterStore(scope, false);
                  graphModel
                      .getBlock()
                      .forward(store, new NDList(scope.randomNormal(new Shape(1, 32, 8, 8))), true);
                  return peakDuring(
                      () ->
                          graphModel
                              .getBlock()
                              .forward(
                                  store, new NDList(scope.randomNormal(new Shape(BATCH))), true));
                }
              });
    }

    double ratio = (double) inference / autograd;
    System.out.printf(
        "Peak memory of a 4x256x256 TAEF2 decode: inference mode %.0f MB, autograd graph %.0f MB,"
            + " ratio %.2f%n",
        inference / 1e6, autograd / 1e6, ratio);
    assertMeasured(inference, BATCH[0] * 3L * BATCH[2] * 8 * BATCH[3] * 8);
    assertThat(autograd)
        .as("the autograd decode must actually have kept a graph")
        .isGreaterThan(inference);
    assertThat(ratio).as("inference-mode peak / autograd peak").isLessThan(0.6);
  }

  @Test
  void directlyLoadedWeightsDecodeToInferenceTensorsThatRefuseInPlaceUpdates() throws Exception {
    LoadedDecoder decoder = TestDecoders.directOnCpu(sdTinyWeights());
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor();
        NDManager scope = decoder.newBatchManager()) {
      NDArray out =
          predictor
              .predict(new NDList(scope.randomNormal(new Shape(1, 4, 4, 4))))
              .singletonOrThrow();
      assertThatThrownBy(() -> out.addi(1f))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("Inplace update to inference tensor outside InferenceMode");
    }
  }

  @Test
  void theTiledDecodeOfDirectlyLoadedWeightsRunsUnderInferenceModeToo() throws Exception {
    LoadedDecoder decoder = TestDecoders.directOnCpu(sdTinyWeights());
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor();
        NDManager scope = decoder.newBatchManager()) {
      NDArray z = scope.randomNormal(new Shape(1, 4, 16, 12));
      NDArray whole = predictor.predict(new NDList(z)).singletonOrThrow();
      NDArray tiled =
          predictor.predict(SharedStatisticsTiles.inputs(scope, z, 8)).singletonOrThrow();
      assertThat(tiled.getShape()).isEqualTo(new Shape(1, 3, 128, 96));
      assertThat(tiled.sub(whole).abs().max().getFloat()).isLessThan(1e-4f);
      assertThatThrownBy(() -> tiled.addi(1f))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("Inplace update to inference tensor outside InferenceMode");
    }
  }

  @Test
  void peakMemoryOfADirectDecodeIsWellBelowTheSameGraphRecordingAutograd() throws Exception {
    assumeThat(ProcessMemory.supported()).as("needs Linux /proc/self/clear_refs").isTrue();
    Path weights = sdTinyWeights();
    long[] batch = {2, 4, 32, 32}; // two 256x256 AutoencoderKL decodes
    LoadedDecoder decoder = TestDecoders.directOnCpu(weights);
    long inference =
        onFreshThread(
            () -> {
              try (Predictor<NDList, NDList> predictor = decoder.newPredictor();
                  NDManager scope = decoder.newBatchManager()) {
                predictor.predict(new NDList(scope.randomNormal(new Shape(1, 4, 8, 8))));
                return peakDuring(
                    () -> predictor.predict(new NDList(scope.randomNormal(new Shape(batch)))));
              }
            });
    long autograd;
    try (ZooModel<NDList, NDList> graphModel =
        AutogradDecoders.load(TestDecoders.direct(weights, Precision.FP32), new Configuration())) {
      autograd =
          onFreshThread(
              () -> {
                try (NDManager scope = graphModel.getNDManager().newSubManager()) {
                  ParameterStore store = new ParameterStore(scope, false);
                  NDArray warm = scope.randomNormal(new Shape(1, 4, 8, 8));
                  warm.setRequiresGradient(true);
                  graphModel.getBlock().forward(store, new NDList(warm), true);
                  NDArray z = scope.randomNormal(new Shape(batch));
                  z.setRequiresGradient(true);
                  return peakDuring(
                      () -> graphModel.getBlock().forward(store, new NDList(z), true));
                }
              });
    }
    double ratio = (double) inference / autograd;
    System.out.printf(
        "Peak memory of a 2x256x256 sd-tiny AutoencoderKL decode from its weights: inference mode"
            + " %.0f MB, autograd graph %.0f MB, ratio %.2f%n",
        inference / 1e6, autograd / 1e6, ratio);
    assertMeasured(inference, batch[0] * 3L * batch[2] * 8 * batch[3] * 8);
    assertThat(autograd)
        .as("the autograd decode must actually have kept a graph")
        .isGreaterThan(inference);
    assertThat(ratio).as("inference-mode peak / autograd peak").isLessThan(0.6);
  }

  /**
   * A decode holds at least its own output (float32 pixels) at its peak: a figure below that was
   * hidden by memory the process handed back meanwhile, and would let any ratio pass.
   */
  private static void assertMeasured(long inferencePeak, long outputPixels) {
    assertThat(inferencePeak)
        .as("the inference-mode decode's measured peak")
        .isGreaterThanOrEqualTo(outputPixels * Float.BYTES);
  }

  private static Path sdTinyWeights() {
    return SharedData.autoencoderKl("sd-tiny").resolve("diffusion_pytorch_model.safetensors");
  }

  private static long peakDuring(Callable<?> work) throws Exception {
    return ProcessMemory.peakDuringOnFreshThread(work);
  }

  private static long onFreshThread(Callable<Long> work) throws Exception {
    return work.call();
  }
}
