package io.latentdecode.udf.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * A decoder's tensors read from a local safetensors file one at a time, each into one reused native
 * staging buffer (no Java array ever holds weights; the largest tensor is staged, never the file)
 * and handed over as a tensor of the architecture's shape. bfloat16 weights are widened to float32
 * while staged (DJL 0.35.1 aborts the JVM on bfloat16 arrays); float32 and float16 go as they are.
 */
public final class SafetensorsWeights {
  /** Takes one tensor; it is valid only during the call (it shares the staging buffer). */
  public interface Sink {
    void accept(String canonicalName, NDArray tensor) throws IOException;
  }

  private SafetensorsWeights() {}

  /** The file's header, checked against the decoder's architecture. */
  public static DecoderWeights check(Path weightsFile, DirectDecoder direct) throws IOException {
    String name = weightsFile.getFileName().toString();
    SafetensorsHeader header;
    try (InputStream in = Files.newInputStream(weightsFile)) {
      header = SafetensorsHeader.read(in, Files.size(weightsFile), name);
    }
    return DecoderWeights.match(
        direct.architecture(), direct.layout(), header, name, "the run plan");
  }

  /** Every tensor the architecture needs, in its order, to {@code sink}. */
  public static void forEach(Path weightsFile, DecoderWeights weights, NDManager scope, Sink sink)
      throws IOException {
    long largest =
        weights.tensors().values().stream()
            .mapToLong(SafetensorsHeader.Tensor::bytes)
            .max()
            .orElse(0);
    ByteBuffer staging = ByteBuffer.allocateDirect((int) largest).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer widened = null;
    try (FileChannel file = FileChannel.open(weightsFile, StandardOpenOption.READ)) {
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
          if (widened == null) {
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
        try (tensor) {
          sink.accept(need.getKey(), tensor);
        }
      }
    }
  }
}
