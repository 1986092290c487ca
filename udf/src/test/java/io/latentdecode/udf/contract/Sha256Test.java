package io.latentdecode.udf.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** OpenSSL's SHA-256 where the system has it, the same digests as Java's. */
class Sha256Test {
  private static final Path LIBCRYPTO = Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3");

  @Test
  void givesTheSameDigestsAsJavasInAnyChunks() {
    byte[] random = new byte[(3 << 20) + 17];
    new Random(7).nextBytes(random);
    for (byte[] input : List.of(new byte[0], "abc".getBytes(StandardCharsets.US_ASCII), random)) {
      String java = digest(Sha256.java(), input, input.length + 1);
      assertThat(digest(Sha256.start(), input, 1 << 20)).isEqualTo(java);
      assertThat(digest(Sha256.start(), input, 4093)).isEqualTo(java);
    }
    assertThat(digest(Sha256.start(), "abc".getBytes(StandardCharsets.US_ASCII), 1))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void usesOpenSslWhereTheSystemHasIt() {
    assumeTrue(Files.exists(LIBCRYPTO), "no " + LIBCRYPTO + " on this machine");
    try (Sha256 digest = Sha256.start()) {
      assertThat(digest.isNative()).as("libcrypto is at " + LIBCRYPTO).isTrue();
    }
  }

  /** The digest of {@code input} fed in chunks of {@code chunk} bytes at moving offsets. */
  private static String digest(Sha256 digest, byte[] input, int chunk) {
    try (digest) {
      for (int from = 0; from < input.length; from += chunk) {
        digest.update(input, from, Math.min(chunk, input.length - from));
      }
      return digest.hex();
    }
  }
}
