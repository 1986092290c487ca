package io.latentdecode.udf.latent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentdecode.udf.contract.ErrorKind;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class LatentDtypeTest {
  @Test
  void widensHalfPrecisionExactly() {
    assertThat(LatentDtype.halfToFloat((short) 0x3c00)).isEqualTo(1.0f);
    assertThat(LatentDtype.halfToFloat((short) 0xc000)).isEqualTo(-2.0f);
    assertThat(LatentDtype.halfToFloat((short) 0x3555)).isEqualTo(0.33325195f);
    assertThat(LatentDtype.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(LatentDtype.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(LatentDtype.halfToFloat((short) 0x7e00)).isNaN();
    assertThat(LatentDtype.halfToFloat((short) 0x8000)).isEqualTo(-0.0f);
  }

  @Test
  void putsEachDtypeAsFloat32() {
    FloatBuffer out = FloatBuffer.allocate(6);
    LatentDtype.FLOAT32.putAsFloat32(new byte[] {0, 0, (byte) 0x80, 0x3f}, out); // 1.0f
    LatentDtype.FLOAT16.putAsFloat32(new byte[] {0, 0x3c, 0, (byte) 0xc0}, out); // 1.0, -2.0
    LatentDtype.BFLOAT16.putAsFloat32(
        new byte[] {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0}, out); // 1.0, -3.0
    assertThat(out.array()).containsExactly(1f, 1f, -2f, 1f, -3f, 0f);
  }

  @Test
  void parsesTheContractsNamesAndDefaultsToFloat32() throws Exception {
    assertThat(LatentDtype.parse(null)).isEqualTo(LatentDtype.FLOAT32);
    assertThat(LatentDtype.parse("bfloat16")).isEqualTo(LatentDtype.BFLOAT16);
    assertThatThrownBy(() -> LatentDtype.parse("int8"))
        .isInstanceOfSatisfying(
            LatentException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNSUPPORTED_DTYPE))
        .hasMessageContaining("'int8'");
  }
}
