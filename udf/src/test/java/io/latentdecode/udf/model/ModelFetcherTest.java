package io.latentdecode.udf.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.contract.ModelDigest;
import io.latentdecode.udf.contract.ModelRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model on a file system other than the local one is read once on the driver: hashed while it is
 * copied to where its load finds it.
 */
class ModelFetcherTest {
  private ModelRef fetched;

  /** The local disk under another scheme, as an object store would be: counts the files opened. */
  public static final class CountingFileSystem extends RawLocalFileSystem {
    static final AtomicInteger OPENS = new AtomicInteger();

    @Override
    public URI getUri() {
      return URI.create("counting:///");
    }

    @Override
    public String getScheme() {
      return "counting";
    }

    @Override
    public FSDataInputStream open(org.apache.hadoop.fs.Path f, int bufferSize) throws IOException {
      OPENS.incrementAndGet();
      return super.open(f, bufferSize);
    }
  }

  @AfterEach
  void removeTheCopy() throws IOException {
    if (fetched != null) {
      Path dir =
          Path.of(System.getProperty("java.io.tmpdir"), "latent-decode-models", fetched.sha256());
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }

  @Test
  void aRemoteModelIsReadOnceForItsDigestAndItsLocalCopy(@TempDir Path tmp) throws Exception {
    byte[] bytes = new byte[3 * (1 << 20) + 12345]; // over several of the read's chunks
    new Random(5).nextBytes(bytes);
    Path file = tmp.resolve("decoder.ts.pt");
    Files.write(file, bytes);
    Configuration conf = new Configuration();
    conf.set("fs.counting.impl", CountingFileSystem.class.getName());
    conf.setBoolean("fs.counting.impl.disable.cache", true);
    org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path("counting://" + file);
    FileSystem fs = remote.getFileSystem(conf);
    CountingFileSystem.OPENS.set(0);

    fetched = ModelFetcher.digest(fs, remote);
    Path local = ModelFetcher.localCopy(fetched, conf);

    assertThat(CountingFileSystem.OPENS.get()).as("opens of the remote model").isEqualTo(1);
    assertThat(fetched.uri()).isEqualTo("counting:" + file);
    assertThat(fetched.sizeBytes()).isEqualTo(bytes.length);
    assertThat(fetched.sha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    assertThat(local).isNotEqualTo(file);
    assertThat(Files.readAllBytes(local)).isEqualTo(bytes);
    try (var left = Files.list(local.getParent().getParent())) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("no partial copy left behind")
          .noneMatch(name -> name.endsWith(".partial"));
    }
  }

  @Test
  void aLocalModelIsHashedInPlace(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("decoder.ts.pt");
    Files.write(file, new byte[] {1, 2, 3});
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());

    ModelRef ref = ModelFetcher.digest(fs, path);

    assertThat(ref).isEqualTo(ModelDigest.of(fs, path));
    assertThat(ModelFetcher.localCopy(ref, conf)).isEqualTo(file);
  }
}
