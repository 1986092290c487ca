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
import ai.djl.repository.zoo.ZooModel;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.contract.Precision;
import io.latentdecode.udf.graph.DecoderWeights;
import io.latentdecode.udf.graph.SafetensorsHeader;
import io.latentdecode.udf.testing.TestDecoders;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The comparison the job must never be: a decode graph program whose weights were given to it
 * outside inference mode (normal tensors that autograd may save), for a forward that records a
 * graph. Made here, with DJL's JNI entry point reached by reflection, because the job itself has no
 * way to do it.
 */
final class AutogradGraphs {
  private AutogradGraphs() {}

  static ZooModel<NDList, NDList> directModel(Path weights) throws Exception {
    ModelRef ref = TestDecoders.direct(weights, Precision.FP32);
    SafetensorsHeader header;
    try (InputStream in = Files.newInputStream(weights)) {
      header = SafetensorsHeader.read(in, Files.size(weights), "weights");
    }
    DecoderWeights matched =
        DecoderWeights.match(
            ref.direct().architecture(), ref.direct().layout(), header, "weights", "test");
    ZooModel<NDList, NDList> model =
        DecoderLoader.load(GraphPrograms.file(ref.direct().architecture().graph()), Device.cpu());
    PtSymbolBlock program = (PtSymbolBlock) model.getBlock();
    try (IValue config =
        IValue.listFrom(ref.direct().architecture().programConfig(Precision.FP32))) {
      runOutsideInferenceMode(program, "configure", config);
    }
    try (RandomAccessFile file = new RandomAccessFile(weights.toFile(), "r");
        NDManager scope = model.getNDManager().newSubManager()) {
      for (Map.Entry<String, long[]> need : ref.direct().architecture().tensors().entrySet()) {
        SafetensorsHeader.Tensor t = matched.tensors().get(need.getKey());
        byte[] bytes = new byte[(int) t.bytes()];
        file.seek(matched.dataStart() + t.begin());
        file.readFully(bytes);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(bytes).flip();
        NDArray w = scope.create(direct, new Shape(need.getValue()), DataType.FLOAT32);
        try (IValue key = IValue.from(need.getKey());
            IValue value = IValue.from((PtNDArray) w)) {
          runOutsideInferenceMode(program, "put", key, value);
        }
      }
    }
    return model;
  }

  private static void runOutsideInferenceMode(PtSymbolBlock program, String method, IValue... args)
      throws Exception {
    Class<?> library = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
    Field lib = library.getDeclaredField("LIB");
    lib.setAccessible(true);
    Method run =
        library.getDeclaredMethod(
            "moduleRunMethod",
            long.class,
            String.class,
            long[].class,
            boolean.class,
            boolean.class);
    run.setAccessible(true);
    long[] handles = new long[args.length];
    for (int i = 0; i < args.length; i++) {
      handles[i] = args[i].getHandle();
    }
    long result =
        (long) run.invoke(lib.get(null), program.getHandle(), method, handles, true, false);
    Method delete = library.getDeclaredMethod("torchDeleteIValue", long.class);
    delete.setAccessible(true);
    delete.invoke(lib.get(null), result);
  }
}
