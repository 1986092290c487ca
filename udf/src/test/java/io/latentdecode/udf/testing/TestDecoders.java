package io.latentdecode.udf.testing;

import ai.djl.Device;
import io.latentdecode.udf.contract.ModelDigest;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.contract.Precision;
import io.latentdecode.udf.graph.DecoderArchitecture;
import io.latentdecode.udf.graph.DecoderWeights;
import io.latentdecode.udf.graph.DirectDecoder;
import io.latentdecode.udf.graph.SafetensorsHeader;
import io.latentdecode.udf.graph.WeightLayout;
import io.latentdecode.udf.model.DecoderCache;
import io.latentdecode.udf.model.LoadedDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Decoders for tests, through the same cache the executors use. */
public final class TestDecoders {
  private TestDecoders() {}

  /** Safetensors weights run through their decode graph, architecture read from the tensors. */
  public static ModelRef direct(Path weights, Precision precision) throws IOException {
    Configuration conf = new Configuration();
    FileSystem local = FileSystem.getLocal(conf);
    ModelRef file = ModelDigest.of(local, new org.apache.hadoop.fs.Path(weights.toUri()));
    SafetensorsHeader header;
    try (InputStream in = Files.newInputStream(weights)) {
      header = SafetensorsHeader.read(in, Files.size(weights), weights.getFileName().toString());
    }
    WeightLayout layout = WeightLayout.detect(header.tensors().keySet());
    DecoderArchitecture architecture =
        DecoderWeights.inferArchitecture(layout, header, weights.getFileName().toString());
    return new ModelRef(
        file.uri(),
        file.sha256(),
        file.sizeBytes(),
        new DirectDecoder(architecture, layout, precision));
  }

  /** {@link #direct} in float32, loaded on the CPU through the executors' cache. */
  public static LoadedDecoder directOnCpu(Path weights) throws IOException {
    return DecoderCache.get(direct(weights, Precision.FP32), Device.cpu(), new Configuration(), 2);
  }

  public static LoadedDecoder onCpu(Path torchScript) throws IOException {
    Configuration conf = new Configuration();
    FileSystem local = FileSystem.getLocal(conf);
    return DecoderCache.get(
        ModelDigest.of(local, new org.apache.hadoop.fs.Path(torchScript.toUri())),
        Device.cpu(),
        conf,
        2);
  }
}
