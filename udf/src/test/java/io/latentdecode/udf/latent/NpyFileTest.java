package io.latentdecode.udf.latent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentdecode.udf.contract.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.junit.jupiter.api.Test;

class NpyFileTest {
  private static final GenericInternalRow NONE = new GenericInternalRow(0);

  @Test
  void readsWhatItWritesInNumpysLayout() throws Exception {
    float[] values = {1f, -2f, 3.5f, 0f, 5f, 6f};
    byte[] file = NpyFile.float32(values, 1, 2, 3);

    assertThat((file.length - values.length * 4) % 64)
        .as("header padded to 64 bytes, as numpy does")
        .isZero();
    assertThat(new String(file, 0, 80, StandardCharsets.ISO_8859_1))
        .contains("'descr': '<f4'", "'shape': (1, 2, 3,");
    Latent latent = NpyFile.toLatent("x", file, NONE);
    assertThat(latent.shape()).containsExactly(1, 2, 3);
    assertThat(latent.dtype()).isEqualTo(LatentDtype.FLOAT32);
    assertThat(latent.data()).hasSize(24);
  }

  @Test
  void readsFloat16() throws Exception {
    byte[] f32 = NpyFile.float32(new float[2], 1, 2, 1);
    String text = new String(f32, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<f2'");
    byte[] f16 =
        Arrays.copyOf(
            text.getBytes(StandardCharsets.ISO_8859_1), f32.length - 4); // 2 halves, not 2 floats
    Latent latent = NpyFile.toLatent("h", f16, NONE);
    assertThat(latent.dtype()).isEqualTo(LatentDtype.FLOAT16);
  }

  @Test
  void namesWhatIsWrongWithABrokenFile() {
    byte[] good = NpyFile.float32(new float[6], 1, 2, 3);
    assertRejected(
        Arrays.copyOf(good, good.length - 4),
        ErrorKind.INVALID_LATENT,
        "holds 20 bytes",
        "needs 24");
    assertRejected(
        "not numpy at all".getBytes(StandardCharsets.UTF_8),
        ErrorKind.INVALID_LATENT,
        "no \\x93NUMPY magic");
    assertRejected(Arrays.copyOf(good, 20), ErrorKind.INVALID_LATENT, "truncated .npy header");
    assertRejected(replace(good, "'<f4'", "'<i4'"), ErrorKind.UNSUPPORTED_DTYPE, "'<i4'");
    assertRejected(replace(good, "'<f4'", "'>f4'"), ErrorKind.UNSUPPORTED_DTYPE, "'>f4'");
    assertRejected(replace(good, "False", "True "), ErrorKind.INVALID_LATENT, "Fortran-order");
    assertRejected(
        NpyFile.float32(new float[6], 6), ErrorKind.INVALID_LATENT, "expected a [C, h, w] latent");
    assertRejected(
        NpyFile.float32(new float[0], 0, 2, 3),
        ErrorKind.INVALID_LATENT,
        "every dimension must be");
  }

  private static byte[] replace(byte[] file, String from, String to) {
    return new String(file, StandardCharsets.ISO_8859_1)
        .replace(from, to)
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void assertRejected(byte[] file, ErrorKind kind, String... messageParts) {
    assertThatThrownBy(() -> NpyFile.toLatent("bad", file, NONE))
        .isInstanceOfSatisfying(LatentException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContainingAll(messageParts);
  }
}
