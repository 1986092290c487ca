package io.latentdecode.udf.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.repository.zoo.ZooModel;
import io.latentdecode.udf.graph.DecoderWeights;
import io.latentdecode.udf.graph.DirectDecoder;
import io.latentdecode.udf.graph.SafetensorsHeader;
import io.latentdecode.udf.latent.LatentDtype;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Loads safetensors weights into one of the job's decode graph programs on a device: a fresh
 * instance of the program is configured for the architecture and precision, then given the
 * decoder's tensors one at a time. Each tensor's bytes are read into one reused native staging
 * buffer (no Java array ever holds weights; the largest tensor is staged, never the file), become a
 * tensor on the device, and the program keeps its own copy cast to the run's dtype. bfloat16
 * weights are widened to float32 while staged (DJL 0.35.1 aborts the JVM on bfloat16 arrays); the
 * cast to the run's dtype is exact. Every call into the program runs under {@code
 * c10::InferenceMode} (DJL's {@code runMethod}), so the weights are inference tensors, as a loaded
 * TorchScript decoder's are.
 */
public final class DirectDecoderLoader {
  private DirectDecoderLoader() {}

  public static ZooModel<NDList, NDList> load(Path weightsFile, DirectDecoder direct, Device device)
      throws IOException {
    String name = weightsFile.getFileName().toString();
    SafetensorsHeader header;
    try (InputStream in = Files.newInputStream(weightsFile)) {
      header = SafetensorsHeader.read(in, Files.size(weightsFile), name);
    }
    DecoderWeights weights =
        DecoderWeights.match(direct.architecture(), direct.layout(), header, name, "the run plan");
    ZooModel<NDList, NDList> model =
        DecoderLoader.load(GraphPrograms.file(direct.architecture().graph()), device);
    try {
      PtSymbolBlock program = (PtSymbolBlock) model.getBlock();
      try (IValue config =
          IValue.listFrom(direct.architecture().programConfig(direct.precision()))) {
        call(program, "configure", config);
      }
      putAll(program, model.getNDManager(), weightsFile, weights);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  private static void putAll(
      PtSymbolBlock program, NDManager modelManager, Path weightsFile, DecoderWeights weights)
      throws IOException {
    long largest =
        weights.tensors().values().stream()
            .mapToLong(SafetensorsHeader.Tensor::bytes)
            .max()
            .orElse(0);
    ByteBuffer staging = ByteBuffer.allocateDirect((int) largest).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer widened = null;
    try (FileChannel file = FileChannel.open(weightsFile, StandardOpenOption.READ);
        NDManager scope = modelManager.newSubManager()) {
      for (Map.Entry<String, long[]> need : weights.architecture().tensors().entrySet()) {
        SafetensorsHeader.Tensor t = weights.tensors().get(need.getKey());
        staging.clear().limit((int) t.bytes());
        long position = weights.dataStart() + t.begin();
        while (staging.hasRemaining()) {
          if (file.read(staging, position + staging.position()) < 0) {
            throw new EOFException(weightsFile + " ended inside tensor '" + t.name() + "'");
          }
        }
        staging.flip();
        Shape shape = new Shape(need.getValue());
        NDArray tensor;
        if (t.dtype().equals("BF16")) {
          if (widened == null || widened.capacity() < 2 * staging.remaining()) {
            widened = ByteBuffer.allocateDirect(2 * (int) largest).order(ByteOrder.LITTLE_ENDIAN);
          }
          widened.clear().limit(2 * staging.remaining());
          LatentDtype.BFLOAT16.putAsFloat32(staging, widened.asFloatBuffer());
          tensor = scope.create(widened, shape, DataType.FLOAT32);
        } else {
          tensor =
              scope.create(
                  staging, shape, t.dtype().equals("F16") ? DataType.FLOAT16 : DataType.FLOAT32);
        }
        try (tensor;
            IValue key = IValue.from(need.getKey());
            IValue value = IValue.from((PtNDArray) tensor)) {
          call(program, "put", key, value); // the program keeps its own copy
        }
      }
    }
  }

  /** Runs one of the program's methods (under inference mode) and drops its small result. */
  private static void call(PtSymbolBlock program, String method, IValue... args) {
    IValueUtils.runMethod(program, method, args).close();
  }
}
