package io.latentdecode.udf.testing;

import ai.djl.Device;
import io.latentdecode.udf.contract.ModelDigest;
import io.latentdecode.udf.model.DecoderCache;
import io.latentdecode.udf.model.LoadedDecoder;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Decoders for tests, through the same cache the executors use. */
public final class TestDecoders {
  private TestDecoders() {}

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
