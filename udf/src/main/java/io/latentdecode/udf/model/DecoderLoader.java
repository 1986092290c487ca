package io.latentdecode.udf.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import io.latentdecode.udf.contract.Causes;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads a TorchScript file through DJL's PyTorch engine for inference. DJL loads under {@code
 * c10::InferenceMode}, so the weights are inference tensors that can never join an autograd graph;
 * {@code trainParam} stays at its default ({@code false}) on purpose. The first load in a JVM also
 * sets libtorch's own log level ({@link LibtorchLog}).
 */
public final class DecoderLoader {
  private DecoderLoader() {}

  public static ZooModel<NDList, NDList> load(Path torchScriptFile, Device device)
      throws IOException {
    Criteria<NDList, NDList> criteria =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(torchScriptFile)
            .optEngine("PyTorch")
            .optDevice(device)
            .optOption("mapLocation", "true")
            .optTranslator(new NoopTranslator())
            .build();
    try {
      ZooModel<NDList, NDList> model = criteria.loadModel();
      LibtorchLog.applyOnce();
      return model;
    } catch (ModelNotFoundException | MalformedModelException | RuntimeException e) {
      throw new IOException(
          "Cannot load decoder '"
              + torchScriptFile
              + "' as TorchScript: "
              + Causes.rootMessage(e)
              + ". Export it with torch.jit.trace or torch.jit.script, then torch.jit.save",
          e);
    }
  }
}
