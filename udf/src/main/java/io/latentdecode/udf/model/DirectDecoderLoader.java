package io.latentdecode.udf.model;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.repository.zoo.ZooModel;
import io.latentdecode.udf.graph.DecoderWeights;
import io.latentdecode.udf.graph.DirectDecoder;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads safetensors weights into one of the job's decode graph programs on a device: a fresh
 * instance of the program is configured for the architecture and precision, then given the
 * decoder's tensors one at a time ({@link SafetensorsWeights}); the program keeps its own copy of
 * each, cast to the run's dtype on the device, so that only one tensor is ever staged twice. Every
 * call into the program runs under {@code c10::InferenceMode} (DJL's {@code runMethod}), so the
 * weights are inference tensors, as a loaded TorchScript decoder's are.
 */
public final class DirectDecoderLoader {
  private DirectDecoderLoader() {}

  public static ZooModel<NDList, NDList> load(Path weightsFile, DirectDecoder direct, Device device)
      throws IOException {
    DecoderWeights weights = SafetensorsWeights.check(weightsFile, direct);
    ZooModel<NDList, NDList> model =
        DecoderLoader.load(GraphPrograms.file(direct.architecture().graph()), device);
    try (NDManager scope = model.getNDManager().newSubManager()) {
      PtSymbolBlock program = (PtSymbolBlock) model.getBlock();
      try (IValue config =
          IValue.listFrom(direct.architecture().programConfig(direct.precision()))) {
        call(program, "configure", config);
      }
      SafetensorsWeights.forEach(
          weightsFile,
          weights,
          scope,
          (name, tensor) -> {
            try (IValue key = IValue.from(name);
                IValue value = IValue.from((PtNDArray) tensor)) {
              call(program, "put", key, value);
            }
          });
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /** Runs one of the program's methods (under inference mode) and drops its small result. */
  private static void call(PtSymbolBlock program, String method, IValue... args) {
    IValueUtils.runMethod(program, method, args).close();
  }
}
