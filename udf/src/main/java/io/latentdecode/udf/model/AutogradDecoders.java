package io.latentdecode.udf.model;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.graph.DecoderWeights;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;

/**
 * What the job must never run, for comparisons only ({@code bench} and {@code InferenceModeTest}):
 * a decoder whose weights are ordinary tensors, so that a forward in training mode on a grad-mode
 * thread records an autograd graph. A TorchScript file loaded trainable; or a decode graph program
 * given its weights through DJL's forward in training mode (no {@code c10::InferenceMode} around
 * the {@code put_all} call). Nothing in a run uses it.
 */
public final class AutogradDecoders {
  private AutogradDecoders() {}

  public static ZooModel<NDList, NDList> load(ModelRef model, Configuration conf) throws Exception {
    Path local = ModelFetcher.localCopy(model, conf);
    if (!model.isDirect()) {
      return Criteria.builder()
          .setTypes(NDList.class, NDList.class)
          .optModelPath(local)
          .optEngine("PyTorch")
          .optOption("trainParam", "true")
          .optTranslator(new NoopTranslator())
          .build()
          .loadModel();
    }
    DecoderWeights weights = SafetensorsWeights.check(local, model.direct());
    ZooModel<NDList, NDList> program =
        DecoderLoader.load(GraphPrograms.file(model.direct().architecture().graph()), Device.cpu());
    PtSymbolBlock block = (PtSymbolBlock) program.getBlock();
    try (IValue config =
        IValue.listFrom(model.direct().architecture().programConfig(model.direct().precision()))) {
      IValueUtils.runMethod(block, "configure", config).close();
    }
    try (NDManager scope = program.getNDManager().newSubManager()) {
      NDList all = new NDList();
      all.add(scope.zeros(new Shape(1)));
      all.get(0).setName("module_method:put_all");
      SafetensorsWeights.forEach(
          local,
          weights,
          scope,
          (name, tensor) -> {
            var copy = tensor.duplicate();
            copy.setName("w." + name);
            all.add(copy);
          });
      block.forward(new ParameterStore(scope, false), all, true);
    } catch (IOException | RuntimeException e) {
      program.close();
      throw e;
    }
    return program;
  }
}
