package io.latentdecode.udf.latent;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/** The element types a latent may be stored in; all are decoded in float32. */
public enum LatentDtype {
  FLOAT32(4, DataType.FLOAT32),
  FLOAT16(2, DataType.FLOAT16),
  BFLOAT16(2, DataType.BFLOAT16);

  private final int bytesPerElement;
  private final DataType djlType;

  LatentDtype(int bytesPerElement, DataType djlType) {
    this.bytesPerElement = bytesPerElement;
    this.djlType = djlType;
  }

  public int bytesPerElement() {
    return bytesPerElement;
  }

  public DataType djlType() {
    return djlType;
  }

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the Parquet contract's {@code dtype} column; null means the default, float32. */
  public static LatentDtype parse(String text) throws LatentException {
    if (text == null) {
      return FLOAT32;
    }
    for (LatentDtype d : values()) {
      if (d.text().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return d;
      }
    }
    throw new LatentException(
        io.latentdecode.udf.contract.ErrorKind.UNSUPPORTED_DTYPE,
        "unsupported dtype '" + text + "': expected float32, float16 or bfloat16");
  }
}
